"""Entry content as django-reversion revisions: record, hold apart, apply.

A pending change of a published entry is a revision whose content is not on the
live row. It is captured by saving the edit for real inside a transaction,
recording the revision, copying its versions, and rolling the transaction back.
"""

import json
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from .models import EditorialEntry, RevisionMeta

# Life-cycle fields live on the row only; applying content never changes them.
LIFE_CYCLE_FIELDS = (
    "state",
    "created_at",
    "first_published",
    "last_updated",
    "last_reviewed",
    "expires_at",
    "version",
)


@dataclass(frozen=True)
class CapturedVersion:
    content_type_id: int
    object_id: str
    db: str
    format: str
    serialized_data: str
    object_repr: str


def record_revision(
    entry: EditorialEntry,
    *,
    by,
    comment: str,
    previous_state: str = "",
    pending: bool = False,
    published: bool = False,
    minor: bool = False,
    public_note: str = "",
) -> Revision:
    """Record a revision of the entry as stored now, with the rows it owns."""
    _prefetch_owned(entry)
    with reversion.create_revision(atomic=False):
        reversion.add_to_revision(entry)
        reversion.set_user(by if by and by.is_authenticated else None)
        reversion.set_comment(comment)
        reversion.add_meta(
            RevisionMeta,
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            entry_version=entry.version,
            state=entry.state,
            previous_state=previous_state,
            pending=pending,
            published=published,
            minor=minor,
            public_note=public_note[:300],
        )
    entry._prefetched_objects_cache = {}  # read fresh from now on
    return latest_revision(entry)


def _prefetch_owned(entry: EditorialEntry) -> None:
    """Read the rows the entry owns, and what their names need, in a few queries.

    A revision stores each owned row with its name (an entity is named by its
    organisation): without this, naming them costs a query per row.
    """
    lookups = []
    for relation in reversion.revisions._get_options(type(entry)).follow:
        related = entry._meta.get_field(relation).related_model
        lookups.append(relation)
        lookups += [
            f"{relation}__{field.name}"
            for field in related._meta.concrete_fields
            if field.many_to_one and field.related_model is not type(entry)
        ]
    entry._prefetched_objects_cache = {}
    if lookups:
        models.prefetch_related_objects([entry], *lookups)


def latest_revision(entry: EditorialEntry) -> Revision | None:
    version = (
        Version.objects.get_for_object(entry)
        .select_related("revision")
        .order_by("-pk")
        .first()
    )
    return version.revision if version else None


def capture(entry: EditorialEntry) -> list[CapturedVersion]:
    """Return the serialised content of the entry and the rows it owns, as stored."""
    stored = type(entry)._default_manager.get(pk=entry.pk)
    _prefetch_owned(stored)
    with reversion.create_revision(atomic=False):
        reversion.add_to_revision(stored)
    revision = latest_revision(stored)
    captured = revision_versions(revision)
    revision.delete()  # only the copy in memory was wanted
    return captured


def content_key(versions: list[CapturedVersion]) -> frozenset:
    """Return a comparable form of captured content, life-cycle fields left out."""
    ignored = {*LIFE_CYCLE_FIELDS, "updated_at"}
    key = set()
    for version in versions:
        fields = json.loads(version.serialized_data)[0]["fields"]
        kept = {
            name: sorted(value) if isinstance(value, list) else value
            for name, value in fields.items()
            if name not in ignored
        }
        key.add(
            (
                version.content_type_id,
                version.object_id,
                json.dumps(kept, sort_keys=True),
            )
        )
    return frozenset(key)


def revision_versions(revision: Revision) -> list[CapturedVersion]:
    return [
        CapturedVersion(
            content_type_id=v.content_type_id,
            object_id=v.object_id,
            db=v.db,
            format=v.format,
            serialized_data=v.serialized_data,
            object_repr=v.object_repr,
        )
        for v in revision.version_set.all()
    ]


def store(
    entry: EditorialEntry,
    versions: list[CapturedVersion],
    *,
    by,
    comment: str,
    minor: bool,
) -> Revision:
    """Store captured content as a pending revision of the entry."""
    revision = Revision.objects.create(
        date_created=timezone.now(),
        user=by if by and by.is_authenticated else None,
        comment=comment,
    )
    Version.objects.bulk_create(
        Version(revision=revision, **vars(captured)) for captured in versions
    )
    RevisionMeta.objects.create(
        revision=revision,
        content_type=ContentType.objects.get_for_model(entry),
        object_id=entry.pk,
        entry_version=entry.version,
        state=entry.state,
        previous_state=entry.state,
        pending=True,
        minor=minor,
    )
    return revision


def apply(entry: EditorialEntry, revision: Revision) -> None:
    """Write a revision's content onto the live rows, keeping life-cycle fields."""
    model = type(entry)
    kept = model.objects.filter(pk=entry.pk).values(*LIFE_CYCLE_FIELDS).get()
    with transaction.atomic():
        revision.revert(delete=True)
        model.objects.filter(pk=entry.pk).update(**kept, updated_at=timezone.now())
    entry.refresh_from_db()


def content_fields(model: type[models.Model]) -> list[str]:
    """Return the names of the fields that are the entry's content."""
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete
        and field.serialize
        and not field.auto_created
        and field.name not in (*LIFE_CYCLE_FIELDS, "updated_at")
    ]


def _fields_by_object(versions: list[CapturedVersion]) -> dict[tuple, dict]:
    ignored = {*LIFE_CYCLE_FIELDS, "updated_at"}
    out = {}
    for version in versions:
        fields = json.loads(version.serialized_data)[0]["fields"]
        out[(version.content_type_id, version.object_id)] = {
            name: sorted(value) if isinstance(value, list) else value
            for name, value in fields.items()
            if name not in ignored
        }
    return out


def changed_fields(
    entry: EditorialEntry,
    before: list[CapturedVersion] | None,
    after: list[CapturedVersion],
) -> list[str]:
    """Return the names of the entry's fields and owned lists that differ."""
    old, new = _fields_by_object(before or []), _fields_by_object(after)
    entry_type = ContentType.objects.get_for_model(entry).pk
    key = (entry_type, str(entry.pk))
    old_entry, new_entry = old.pop(key, {}), new.pop(key, {})
    names = [
        name
        for name in sorted(set(old_entry) | set(new_entry))
        if old_entry.get(name) != new_entry.get(name)
    ]
    owned_types = {type_id for type_id, _ in (*old, *new)}
    for type_id in sorted(owned_types):
        mine_old = {k: v for k, v in old.items() if k[0] == type_id}
        mine_new = {k: v for k, v in new.items() if k[0] == type_id}
        if mine_old != mine_new:
            model = ContentType.objects.get_for_id(type_id).model_class()
            names.append(str(model._meta.verbose_name_plural))
    return names
