"""The audit trail: one event per action, written by the services only."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from reversion.models import Revision

from .models import AuditEvent

Action = AuditEvent.Action


def record(
    action: str,
    entry: models.Model,
    *,
    by,
    changed_fields: Iterable[str] = (),
    comment: str = "",
    revision: Revision | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        content_type=ContentType.objects.get_for_model(entry),
        object_id=entry.pk,
        entry_repr=str(entry)[:300],
        changed_fields=sorted(set(changed_fields)),
        comment=comment[:2000],
        revision=revision,
    )
