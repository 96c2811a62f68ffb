"""After a write commits, move the cache tags it can have changed, and only those.

A write to a row of a tracked model (content, editorial and work apps) moves:

- the row's own tags: `model:pk`, `model:pk/links`, the collection, `site`, and
  the tags of its unique and indexed fields, before and after (a renamed slug
  frees the old address and takes the new one);
- `other:pk/links` of every entry it is linked to by a foreign key (before and
  after the write) or a many-to-many relation, either way: those entries' pages
  list it (a pattern's incidents, the terms linking an incident, a sector's
  incidents), so a publish, an unpublish or a change of a link reaches them.

Writes are gathered per transaction and handled once it commits (nothing moves
for a rolled-back preview or pending change); `QuerySet.update()` and
`bulk_create()` are caught too, since they send no signals. The new versions go
to the shared cache first, then a purge of the same tags to every front-end
cache (`editorial.frontend_cache`).
"""

import logging
import time
import uuid
from collections import defaultdict

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model, QuerySet

from . import cache_tags, frontend_cache, tag_store
from .cache_tags import (
    SITE,
    collection_tag,
    entry_tag,
    is_tracked,
    key_fields,
    key_tag,
    links_tag,
)

log = logging.getLogger(__name__)

TAG_KEY = "threatwatch:tag:"
# Columns no reader ever sees: an update() of these alone changes no page (the
# edit-conflict counter, the search index, the row's save time).
UNSEEN_FIELDS = frozenset({"version", "search_vector", "updated_at"})
BUMP_CHUNK = 1000


def tag_key(tag: str) -> str:
    return TAG_KEY + tag


def new_version() -> str:
    return f"{time.time():.6f}-{uuid.uuid4().hex[:8]}"


def version_time(version: str | None) -> int | None:
    try:
        return int(float(version.split("-")[0]))
    except (AttributeError, ValueError):
        return None


def bump(tags: set[str]) -> None:
    """Give tags a new version in the shared cache, then purge front-end caches."""
    if not tags:
        return
    version = new_version()
    ordered = sorted(tags)
    for start in range(0, len(ordered), BUMP_CHUNK):
        chunk = ordered[start : start + BUMP_CHUNK]
        tag_store.set_many({tag_key(tag): version for tag in chunk})
    frontend_cache.purge(ordered)


# Relations -------------------------------------------------------------------


def _foreign_keys(model) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and is_tracked(field.related_model)
    ]


def _many_to_many(model) -> list[tuple[type[Model], str, str, type[Model]]]:
    """Return (through, our column, their column, their model) of each relation."""
    found = []
    for field in model._meta.get_fields(include_hidden=True):
        if not field.many_to_many:
            continue
        if field.concrete:
            through = field.remote_field.through
            ours, theirs = field.m2m_field_name(), field.m2m_reverse_field_name()
            other = field.related_model
        else:
            relation = field.field
            through = relation.remote_field.through
            ours = relation.m2m_reverse_field_name()
            theirs = relation.m2m_field_name()
            other = relation.model
        if is_tracked(other):
            found.append((through, ours, theirs, other))
    return found


def _key_paths(model) -> list[tuple[str, type[Model]]]:
    """Foreign keys, and foreign keys of those, as (values() path, model)."""
    paths = []
    for field in _foreign_keys(model):
        paths.append((field.attname, field.related_model))
        for second in _foreign_keys(field.related_model):
            paths.append((f"{field.name}__{second.attname}", second.related_model))
    return paths


def _own_tags(model, row: dict) -> set[str]:
    """Key tags and the links of foreign keys (two deep), from one row's values."""
    tags = set()
    for name in key_fields(model):
        if name in row and row[name] not in (None, ""):
            tags.add(key_tag(model, name, row[name]))
    for path, related in _key_paths(model):
        value = row.get(path)
        if value is not None:
            tags.add(links_tag(related, value))
    return tags


def _row_fields(model) -> list[str]:
    return [*key_fields(model), *(path for path, _ in _key_paths(model))]


def tags_of_writes(model, pks: set) -> set[str]:
    """Return every tag a write to these rows (as they are now) can have changed."""
    tags = {collection_tag(model), SITE}
    for pk in pks:
        tags.add(entry_tag(model, pk))
        tags.add(links_tag(model, pk))
    pks = list(pks)
    fields = _row_fields(model)
    if fields:
        for row in model._base_manager.filter(pk__in=pks).values(*fields):
            tags |= _own_tags(model, row)
    for through, ours, theirs, other in _many_to_many(model):
        linked = through._base_manager.filter(**{f"{ours}__in": pks}).values_list(
            theirs, flat=True
        )
        tags.update(links_tag(other, pk) for pk in set(linked))
    for owned, back, field in _owned_links(model):
        linked = owned._base_manager.filter(**{f"{back}__in": pks}).values_list(
            field.attname, flat=True
        )
        tags.update(links_tag(field.related_model, pk) for pk in set(linked))
    return tags


def _owned_links(model) -> list[tuple[type[Model], str, Model]]:
    """Rows that belong to the model's rows and link elsewhere (an incident's
    parties name organisations): (owned model, its key back to us, its other key).
    Publishing an incident changes the organisation pages that list it."""
    found = []
    for relation in model._meta.related_objects:
        if not relation.one_to_many or not is_tracked(relation.related_model):
            continue
        back = relation.field
        for field in _foreign_keys(relation.related_model):
            if field is not back:
                found.append((relation.related_model, back.attname, field))
    return found


# Gathering writes per transaction ---------------------------------------------


class _Pending:
    """Writes gathered in a transaction, each with the savepoints open at the time
    (like Django's on_commit callbacks), so a rolled-back savepoint drops its own."""

    def __init__(self):
        self.items: list[tuple[frozenset, type[Model] | None, set, set[str]]] = []

    def drop_savepoint(self, sid) -> None:
        self.items = [item for item in self.items if sid not in item[0]]


def _pending(using: str) -> _Pending:
    connection = connections[using]
    pending = getattr(connection, "_threatwatch_pending", None)
    if pending is None:
        pending = connection._threatwatch_pending = _Pending()
    return pending


def _schedule(
    using: str | None, *, model=None, pks=(), tags=(), defer: bool = False
) -> None:
    """Gather a write; `defer` for what is known before the write itself is made
    (old values), which must wait for the write even outside a transaction."""
    using = using or DEFAULT_DB_ALIAS
    connection = connections[using]
    tags = set(tags)
    if model is not None:
        model = model._meta.concrete_model
        tags.add(collection_tag(model))
    open_savepoints = frozenset(getattr(connection, "_threatwatch_savepoints", ()))
    _pending(using).items.append((open_savepoints, model, set(pks), tags))
    if not connection.in_atomic_block:
        if not defer:
            _flush(using)
        return
    # The first callback to run after the commit handles everything gathered;
    # the others find nothing left.
    transaction.on_commit(lambda: _flush(using), using=using)


def _flush(using: str) -> None:
    connection = connections[using]
    pending = getattr(connection, "_threatwatch_pending", None)
    connection._threatwatch_pending = None
    if pending is None or not pending.items:
        return
    tags = {SITE}
    writes: dict[type[Model], set] = defaultdict(set)
    for _, model, pks, more in pending.items:
        tags |= more
        if model is not None:
            writes[model] |= pks
    for model, pks in writes.items():
        tags |= tags_of_writes(model, pks)
    try:
        bump(tags)
    except Exception:  # the write is committed; a cache outage must not undo it
        log.exception("Could not invalidate %d cache tags", len(tags))


def _forget_rolled_back(connection, sid=None) -> None:
    pending = getattr(connection, "_threatwatch_pending", None)
    if sid is None:
        connection._threatwatch_pending = None
        connection._threatwatch_savepoints = []
        return
    _close_savepoint(connection, sid)
    if pending is not None:
        pending.drop_savepoint(sid)


def _close_savepoint(connection, sid) -> None:
    opened = getattr(connection, "_threatwatch_savepoints", [])
    if sid in opened:
        opened.remove(sid)


def flush_now(using: str = DEFAULT_DB_ALIAS) -> None:
    """Handle gathered writes at once (for code running outside a transaction)."""
    _flush(using)


# Signal receivers ------------------------------------------------------------


def before_save(sender, instance, raw=False, using=None, **kwargs) -> None:
    if not is_tracked(sender) or instance._state.adding or instance.pk is None:
        return
    fields = _row_fields(sender)
    if not fields:
        return
    old = sender._base_manager.using(using).filter(pk=instance.pk).values(*fields)
    for row in old:
        # What the row was before: its old slug, its old pattern's page.
        _schedule(using, tags=_own_tags(sender, row), defer=True)


def after_save(sender, instance, using=None, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= UNSEEN_FIELDS:
        return
    if is_tracked(sender):
        _schedule(using, model=sender, pks={instance.pk})


def before_delete(sender, instance, using=None, **kwargs) -> None:
    if not is_tracked(sender) or instance.pk is None:
        return
    # Computed now: after the delete its links are gone.
    _schedule(using, tags=tags_of_writes(sender, {instance.pk}), defer=True)


def links_changed(sender, instance, action, reverse, model, pk_set, using=None, **kw):
    if not (is_tracked(type(instance)) or is_tracked(model)):
        return
    if action == "pre_clear":
        for through, ours, theirs, other in _many_to_many(type(instance)):
            if through is sender and other is model:
                linked = sender._base_manager.filter(**{ours: instance.pk}).values_list(
                    theirs, flat=True
                )
                tags = {links_tag(model, pk) for pk in linked}
                _schedule(using, tags=tags, defer=True)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    tags = {collection_tag(sender)}
    tags.update(links_tag(model, pk) for pk in pk_set or ())
    _schedule(using, model=type(instance), pks={instance.pk}, tags=tags)


def content_published(sender, entry=None, pk=None, action=None, **kwargs) -> None:
    """`public_content_changed`: the entry's tags, whatever path wrote it."""
    if sender is None or pk is None or not is_tracked(sender):
        return
    tags = {entry_tag(sender, pk), links_tag(sender, pk), collection_tag(sender)}
    if entry is not None:
        for name in key_fields(sender):
            value = getattr(entry, name, None)
            if value not in (None, ""):
                tags.add(key_tag(sender, name, value))
    _schedule(None, tags=tags)


# Writes that send no signals -------------------------------------------------


def _pks_of(queryset: QuerySet) -> set:
    from django.db.models.expressions import Col

    for lookup in cache_tags._conjuncts(queryset.query.where):
        lhs = getattr(lookup, "lhs", None)
        if (
            isinstance(lhs, Col)
            and lhs.alias == queryset.query.base_table
            and lhs.target.primary_key
            and getattr(lookup, "lookup_name", "") in ("exact", "in")
        ):
            values = cache_tags._values(lookup)
            if values is not None:
                return set(values)
    return set(queryset.values_list("pk", flat=True))


def install() -> None:
    """Catch update() and bulk writes of tracked models (once, from ready())."""
    if getattr(QuerySet, "_threatwatch_invalidates", False):
        return
    update = QuerySet.update
    bulk_create = QuerySet.bulk_create
    bulk_update = QuerySet.bulk_update

    def _update(self, **kwargs):
        if not is_tracked(self.model) or set(kwargs) <= UNSEEN_FIELDS:
            return update(self, **kwargs)
        using = self.db
        # Before the update: a changed slug or pattern must reach the old pages.
        pks = _pks_of(self)
        fields = _row_fields(self.model)
        names = {*fields, *(field.name for field in _foreign_keys(self.model))}
        if pks and set(kwargs) & names:
            rows = self.model._base_manager.using(using).filter(pk__in=pks)
            for row in rows.values(*fields):
                _schedule(using, tags=_own_tags(self.model, row), defer=True)
        done = update(self, **kwargs)
        if pks:
            _schedule(using, model=self.model, pks=pks)
        return done

    def _bulk_create(self, objs, *args, **kwargs):
        created = bulk_create(self, objs, *args, **kwargs)
        if is_tracked(self.model):
            pks = {obj.pk for obj in created if obj.pk is not None}
            _schedule(self.db, model=self.model, pks=pks, tags={SITE})
        return created

    def _bulk_update(self, objs, fields, *args, **kwargs):
        if is_tracked(self.model):
            objs = list(objs)
            _schedule(self.db, model=self.model, pks={obj.pk for obj in objs})
        return bulk_update(self, objs, fields, *args, **kwargs)

    _update.alters_data = True
    _update.queryset_only = False
    QuerySet.update = _update
    QuerySet.bulk_create = _bulk_create
    QuerySet.bulk_update = _bulk_update
    QuerySet._threatwatch_invalidates = True

    from django.db.backends.base.base import BaseDatabaseWrapper

    # Savepoints, manual ones included (Django tracks only atomic blocks'), so
    # that the writes of a rolled-back savepoint (a pending change captured and
    # undone, a preview) invalidate nothing.
    rollback = BaseDatabaseWrapper.rollback
    savepoint = BaseDatabaseWrapper.savepoint
    savepoint_commit = BaseDatabaseWrapper.savepoint_commit
    savepoint_rollback = BaseDatabaseWrapper.savepoint_rollback

    def _rollback(self):
        _forget_rolled_back(self)
        return rollback(self)

    def _savepoint(self):
        sid = savepoint(self)
        if sid is not None:
            if not hasattr(self, "_threatwatch_savepoints"):
                self._threatwatch_savepoints = []
            self._threatwatch_savepoints.append(sid)
        return sid

    def _savepoint_commit(self, sid):
        _close_savepoint(self, sid)
        return savepoint_commit(self, sid)

    def _savepoint_rollback(self, sid):
        _forget_rolled_back(self, sid)
        return savepoint_rollback(self, sid)

    BaseDatabaseWrapper.rollback = _rollback
    BaseDatabaseWrapper.savepoint = _savepoint
    BaseDatabaseWrapper.savepoint_commit = _savepoint_commit
    BaseDatabaseWrapper.savepoint_rollback = _savepoint_rollback
