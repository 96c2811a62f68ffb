"""What a public response shows, as cache tags collected while it is rendered.

Every read of the database during a public request passes through here: the
queryset methods that run a query (fetching rows, `count`, `exists`,
`aggregate`, `iterator`) report to a request-local collector. Nothing has to be
listed by hand in a view, so a new page is tagged as soon as it reads anything.

The tags, named after the model (`_meta.model_name`):

- `incident:12`: the page shows entry 12 (a row that reached it, or an object
  loaded with it through `select_related`).
- `incident:12/links`: the page shows a list of things related to entry 12
  (its sectors, the terms linking it, a pattern's incidents), read by a query
  that keeps to that one relation.
- `incident/code=INC-23-0001`: the page looked entries up by a unique or
  indexed field (a detail page, the glossary links of a term's text).
- `incidents`: the page read the collection at large (lists, counts, facets,
  home figures, feeds, the sitemap), where any write may change what it shows.
- `site`: the page read something outside the content apps (revisions for the
  changelog, say) or nothing at all; every committed write moves it.

`editorial.invalidation` bumps, after each committed write, the tags the write
can have changed; `editorial.caching` keys cached pages on them.
"""

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.apps import apps
from django.db.models import Model, QuerySet
from django.db.models.expressions import Col, Exists
from django.db.models.query import ModelIterable
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode

from .roles import CONTENT_APPS, WORK_APPS

log = logging.getLogger(__name__)

SITE = "site"
# Reads of these never change with content (content types are fixed at deploy).
UNTRACKED_READ_APPS = frozenset({"contenttypes", "sessions", "auth", "admin", "axes"})
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

_collector: ContextVar[set[str] | None] = ContextVar(
    "threatwatch_cache_tags", default=None
)


# Tag names ---------------------------------------------------------------


def label(model: type[Model]) -> str:
    return model._meta.concrete_model._meta.model_name


def entry_tag(model: type[Model], pk) -> str:
    return f"{label(model)}:{pk}"


def links_tag(model: type[Model], pk) -> str:
    return f"{label(model)}:{pk}/links"


def collection_tag(model: type[Model]) -> str:
    name = label(model)
    return f"{name}-all" if name.endswith("s") else f"{name}s"


def key_tag(model: type[Model], field: str, value) -> str:
    text = str(value)
    if not _SAFE_VALUE.fullmatch(text):
        text = "#" + hashlib.sha1(text.encode()).hexdigest()[:16]
    return f"{label(model)}/{field}={text}"


def is_tracked(model: type[Model] | None) -> bool:
    """Whether writes to the model are invalidated by tag (content and work apps)."""
    if model is None:
        return False
    app = model._meta.app_label
    return app in CONTENT_APPS or app == "editorial" or app in WORK_APPS


@cache
def key_fields(model: type[Model]) -> tuple[str, ...]:
    """Fields entries are looked up by: unique or indexed ones, but the state."""
    indexed = {
        index.fields[0]
        for index in model._meta.indexes
        if len(index.fields) == 1 and not index.fields[0].startswith("-")
    }
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not field.is_relation
        and field.name != "state"
        and (field.unique or field.db_index or field.name in indexed)
    )


# The collector -----------------------------------------------------------


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Collect the tags of everything read inside the block into the set yielded."""
    tags: set[str] = set()
    token = _collector.set(tags)
    try:
        yield tags
    finally:
        _collector.reset(token)


def collect(*tags: str) -> None:
    """Add tags to the current response by hand (reads the hook cannot see)."""
    current = _collector.get()
    if current is not None:
        current.update(tags)


def current_tags() -> set[str] | None:
    return _collector.get()


@contextmanager
def replaying(tags: Iterable[str]) -> Iterator[None]:
    """Add tags stored with a cached fragment to the response that reuses it."""
    collect(*tags)
    yield


# What a query shows ----------------------------------------------------------


def _conjuncts(node, *, keep_or: bool = False) -> Iterator:
    """Yield the conditions every row of the result must satisfy (top-level ANDs).

    With `keep_or`, an OR among them is yielded whole rather than skipped.
    """
    if not isinstance(node, WhereNode) or node.negated:
        return
    if node.connector != "AND":
        if keep_or:
            yield node
        return
    for child in node.children:
        if isinstance(child, WhereNode):
            if child.connector == "AND" or not keep_or:
                yield from _conjuncts(child, keep_or=keep_or)
            elif not child.negated:
                yield child
        else:
            yield child


def _walk(node, skip=None) -> Iterator:
    """Yield every lookup and subquery in a where tree, negated or not."""
    for child in getattr(node, "children", ()):
        if child is skip:
            continue
        if isinstance(child, WhereNode):
            yield from _walk(child, skip)
        else:
            yield child


def _values(lookup) -> list | None:
    rhs = lookup.rhs
    if lookup.lookup_name == "in":
        if not isinstance(rhs, list | tuple | set | frozenset):
            return None
        values = list(rhs)
    else:
        values = [rhs]
    plain = []
    for value in values:
        if isinstance(value, Model):
            value = value.pk
        if value is None or hasattr(value, "resolve_expression"):
            return None
        if isinstance(value, list | tuple):
            return None
        plain.append(value)
    return plain


def _scope(query: Query, node) -> tuple[int, set[str]] | None:
    """Return (priority, tags) when a condition keeps the rows to named entries.

    Understood: the primary key, a unique or indexed field, a foreign key, a
    foreign key of a foreign key (an incident's pattern's domain), a
    many-to-many relation, EXISTS over a many-to-many table, and an OR of
    such conditions. Anything else reads the collection.
    """
    if isinstance(node, WhereNode):
        if node.negated or node.connector != "OR":
            return None
        parts = [_scope(query, child) for child in node.children]
        if not parts or any(part is None for part in parts):
            return None
        return max(p for p, _ in parts), set().union(*(tags for _, tags in parts))
    if isinstance(node, Exists):
        return _exists_scope(query, node.query)
    if (
        getattr(node, "lookup_name", None) == "exact"
        and isinstance(node.lhs, Exists)
        and node.rhs is True
    ):
        # filter(Q(...) | Exists(...)) wraps the EXISTS as "EXISTS(...) = true".
        return _scope(query, node.lhs)
    if getattr(node, "lookup_name", None) not in ("exact", "in"):
        return None
    lhs = node.lhs
    if not isinstance(lhs, Col):
        return None
    values = _values(node)
    if values is None:
        return None
    model, target = query.model, lhs.target
    base = query.base_table
    if lhs.alias == base:
        if target.primary_key:
            return 0, {entry_tag(model, value) for value in values}
        if target.name in key_fields(model):
            return 1, {key_tag(model, target.name, value) for value in values}
        if target.many_to_one and is_tracked(target.related_model):
            return 2, {links_tag(target.related_model, value) for value in values}
        return None
    join = query.alias_map.get(lhs.alias)
    if getattr(join, "parent_alias", None) != base or not target.many_to_one:
        return None
    if not is_tracked(target.related_model):
        return None
    through = target.model._meta.auto_created
    # Forward foreign key of the base model, then a foreign key of that model.
    chained = (
        getattr(join.join_field, "many_to_one", False)
        and join.join_field.model._meta.concrete_model is model._meta.concrete_model
        and target.model is join.join_field.related_model
    )
    if through or chained:
        return 2, {links_tag(target.related_model, value) for value in values}
    return None


def _exists_scope(query: Query, inner: Query) -> tuple[int, set[str]] | None:
    """EXISTS (SELECT ... FROM a many-to-many table WHERE other = x AND ...)."""
    if inner.model is None or not inner.model._meta.auto_created:
        return None
    for lookup in _conjuncts(inner.where):
        lhs = getattr(lookup, "lhs", None)
        if not isinstance(lhs, Col) or lhs.alias != inner.base_table:
            continue
        target = lhs.target
        if getattr(lookup, "lookup_name", None) not in ("exact", "in"):
            continue
        if not target.many_to_one or target.related_model is query.model:
            continue
        values = _values(lookup)
        if values is not None and is_tracked(target.related_model):
            return 2, {links_tag(target.related_model, value) for value in values}
    return None


_table_models: dict[str, type[Model]] = {}


def _model_of_table(table: str) -> type[Model] | None:
    if not _table_models:
        for model in apps.get_models(include_auto_created=True):
            _table_models[model._meta.db_table] = model
    return _table_models.get(table)


def _alias_collection(query: Query, alias: str) -> str | None:
    join = query.alias_map.get(alias)
    model = _model_of_table(getattr(join, "table_name", ""))
    if model is None:
        return SITE
    if not is_tracked(model):
        return None if model._meta.app_label in UNTRACKED_READ_APPS else SITE
    return collection_tag(model)


def query_tags(query: Query) -> set[str]:
    """Return the tags a query depends on, rows aside (no SQL is run)."""
    model = query.model
    if model is None:
        return {SITE}
    if query.combinator:
        tags = {collection_tag(model)} if is_tracked(model) else {SITE}
        for part in query.combined_queries:
            tags |= query_tags(part)
        return tags
    best = None
    for lookup in _conjuncts(query.where, keep_or=True):
        found = _scope(query, lookup)
        if found is not None and (best is None or found[0] < best[0]):
            best = (found[0], found[1], lookup)
    if best is None:
        tags = {collection_tag(model)}
        chosen = None
    else:
        tags = set(best[1])
        chosen = best[2]
    base = query.base_table
    for lookup in _walk(query.where, skip=chosen):
        for part in (getattr(lookup, "lhs", None), getattr(lookup, "rhs", None)):
            alias = getattr(part, "alias", None)
            if alias is not None and alias != base:
                tag = _alias_collection(query, alias)
                if tag:
                    tags.add(tag)
        tags |= _subquery_tags(lookup)
    return tags


def _subquery_tags(expression) -> set[str]:
    """Collections read by subqueries (EXISTS, IN (SELECT ...)) of a condition."""
    tags: set[str] = set()
    stack = [expression]
    while stack:
        node = stack.pop()
        inner = getattr(node, "query", None)
        if isinstance(node, Query):
            inner = node
        if isinstance(inner, Query) and inner.model is not None:
            tags.add(collection_tag(inner.model) if is_tracked(inner.model) else SITE)
            continue
        if isinstance(node, QuerySet):
            stack.append(node.query)
            continue
        for attr in ("lhs", "rhs"):
            if hasattr(node, attr):
                stack.append(getattr(node, attr))
        if hasattr(node, "get_source_expressions") and not isinstance(node, type):
            try:
                stack.extend(node.get_source_expressions())
            except TypeError:
                pass
        if isinstance(node, list | tuple):
            stack.extend(node)
    return tags


def _row_tags(rows: Iterable, tags: set[str], *, links: bool) -> None:
    seen: set[int] = set()
    stack = [row for row in rows if isinstance(row, Model)]
    top = {id(row) for row in stack}
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        model = type(obj)
        if is_tracked(model):
            tags.add(entry_tag(model, obj.pk))
            if links and id(obj) in top:
                tags.add(links_tag(model, obj.pk))
        # Objects loaded with the row (select_related) are shown with it.
        for related in obj._state.fields_cache.values():
            if isinstance(related, Model):
                stack.append(related)


def record(queryset: QuerySet, rows: Iterable | None = None) -> None:
    """Add what a queryset reads to the current response's tags."""
    tags = _collector.get()
    if tags is None:
        return
    try:
        _record(tags, queryset, rows)
    except Exception:  # a query we do not understand: depend on every write
        log.exception("Could not tag a query of %s", queryset.model)
        tags.add(SITE)


def _record(tags: set[str], queryset: QuerySet, rows: Iterable | None) -> None:
    model = queryset.model
    if not is_tracked(model):
        if model is None or model._meta.app_label not in UNTRACKED_READ_APPS:
            tags.add(SITE)
        return
    query = queryset.query
    tags |= query_tags(query)
    if queryset._iterable_class is not ModelIterable:
        # values(): other models' columns may be shown, so their collections.
        for alias, join in query.alias_map.items():
            if alias == query.base_table or not query.alias_refcount.get(alias):
                continue
            model = _model_of_table(getattr(join, "table_name", ""))
            if model is not None and model._meta.auto_created:
                continue  # a many-to-many table: ids only, kept by the links
            tag = _alias_collection(query, alias)
            if tag:
                tags.add(tag)
        return
    if rows:
        # Annotated rows carry figures over their relations (counts per value).
        _row_tags(rows, tags, links=bool(query.annotations))


# The hook ------------------------------------------------------------------


def install() -> None:
    """Wrap the QuerySet methods that run queries (once, from AppConfig.ready)."""
    if getattr(QuerySet, "_threatwatch_tagged", False):
        return
    fetch_all = QuerySet._fetch_all
    count = QuerySet.count
    exists = QuerySet.exists
    aggregate = QuerySet.aggregate
    iterator = QuerySet.iterator

    def _fetch_all(self):
        fresh = self._result_cache is None
        fetch_all(self)
        if fresh and _collector.get() is not None:
            record(self, self._result_cache)

    def _count(self):
        if self._result_cache is None:
            record(self)
        return count(self)

    def _exists(self):
        if self._result_cache is None:
            record(self)
        return exists(self)

    def _aggregate(self, *args, **kwargs):
        record(self)
        return aggregate(self, *args, **kwargs)

    def _iterator(self, *args, **kwargs):
        if _collector.get() is None:
            yield from iterator(self, *args, **kwargs)
            return
        record(self)
        links = bool(self.query.annotations)
        tags = _collector.get()
        for row in iterator(self, *args, **kwargs):
            if isinstance(row, Model) and tags is not None:
                _row_tags([row], tags, links=links)
            yield row

    QuerySet._fetch_all = _fetch_all
    QuerySet.count = _count
    QuerySet.exists = _exists
    QuerySet.aggregate = _aggregate
    QuerySet.iterator = _iterator
    QuerySet._threatwatch_tagged = True
