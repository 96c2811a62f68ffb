"""Keeping history healthy: check stored revisions load, prune old ones safely."""

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from reversion.models import Revision, Version

from .models import Change, RevisionMeta


@dataclass(frozen=True)
class Problem:
    version_id: int
    revision_id: int
    object_repr: str
    message: str

    def __str__(self) -> str:
        return (
            f"version {self.version_id} (revision {self.revision_id}, "
            f"{self.object_repr!r}): {self.message}"
        )


def _check(version: Version) -> str | None:
    try:
        model = version._model
    except LookupError:  # noqa: PERF203 - one message per broken version
        return "its model no longer exists"
    if model is None:
        return "its model no longer exists"
    try:
        data = json.loads(version.serialized_data)[0]
    except (ValueError, IndexError, KeyError) as error:
        return f"stored data is not readable JSON ({error})"
    for name in data.get("fields", {}):
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            return (
                f"field {name!r} no longer exists on {model.__name__}; add a data "
                "migration that renames or drops it in stored versions"
            )
    try:
        version.field_dict  # noqa: B018 - deserialising is the check
    except Exception as error:  # noqa: BLE001 - report any failure to load
        return f"does not load: {error}"
    return None


def check_revisions() -> Iterator[Problem]:
    """Yield every stored version that no longer loads cleanly."""
    for version in Version.objects.select_related("content_type").iterator(
        chunk_size=500
    ):
        message = _check(version)
        if message:
            yield Problem(version.pk, version.revision_id, version.object_repr, message)


def protected_revisions() -> set[int]:
    """Return revisions that must stay: pending and scheduled changes."""
    return set(
        Change.objects.exclude(snapshot=None).values_list("snapshot_id", flat=True)
    )


@transaction.atomic
def prune_revisions(*, keep: int) -> int:
    """Delete all but the newest `keep` revisions of each entry, never the live,
    the latest, a pending or a scheduled one. Return how many were deleted."""
    if keep < 1:
        raise ValueError("Keep at least one revision per entry.")
    protected = protected_revisions()
    doomed: list[int] = []
    metas = RevisionMeta.objects.exclude(content_type=None).order_by(
        "content_type_id", "object_id", "-revision__date_created", "-revision_id"
    )
    entry, seen, live_found = None, 0, False
    for meta in metas.values(
        "content_type_id", "object_id", "revision_id", "published"
    ):
        key = (meta["content_type_id"], meta["object_id"])
        if key != entry:
            entry, seen, live_found = key, 0, False
        seen += 1
        is_live = meta["published"] and not live_found
        live_found = live_found or meta["published"]
        if seen > keep and not is_live and meta["revision_id"] not in protected:
            doomed.append(meta["revision_id"])
    for start in range(0, len(doomed), 1000):
        Revision.objects.filter(pk__in=doomed[start : start + 1000]).delete()
    return len(doomed)


def rename_field_in_versions(apps, model_label: str, old: str, new: str) -> int:
    """Data-migration helper: rename a field inside stored versions of a model.

    Use it in the migration that renames the field, so old revisions still load.
    """
    app_label, model_name = model_label.split(".")
    content_type = apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label=app_label, model=model_name
    )
    stored = apps.get_model("reversion", "Version").objects.filter(
        content_type__in=content_type
    )
    changed = 0
    for version in stored.iterator():
        data = json.loads(version.serialized_data)
        fields = data[0]["fields"]
        if old in fields:
            fields[new] = fields.pop(old)
            version.serialized_data = json.dumps(data)
            version.save(update_fields=["serialized_data"])
            changed += 1
    return changed
