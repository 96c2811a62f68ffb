"""Field-by-field comparison of two states of an entry, for reviewers and staff.

Text gets a word-level diff, relations show the names added and removed, and
owned rows (an incident's sources, entities) are compared as lists.
"""

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Revision
from reversion.revisions import _get_options

from .snapshots import content_fields

Content = dict[str, Any]
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: SafeString
    new: SafeString


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in content_fields(model)]


def _normal(field: models.Field, value: Any) -> Any:
    if field.many_to_many:
        return sorted(str(pk) for pk in value or [])
    if field.is_relation:
        return None if value is None else str(value)
    return "" if value is None else str(value)


def _owned_relations(model: type[models.Model]) -> list[str]:
    return list(_get_options(model).follow)


def live_content(entry: models.Model) -> Content:
    """Return the entry's content as stored on the live rows."""
    content: Content = {}
    for field in _fields(type(entry)):
        if field.many_to_many:
            value = list(getattr(entry, field.name).values_list("pk", flat=True))
        else:
            value = getattr(entry, field.attname)
        content[field.name] = _normal(field, value)
    for relation in _owned_relations(type(entry)):
        rows = getattr(entry, relation).all()
        # A row is named by what it points to (an entity by its organisation).
        pointed = [
            field.name
            for field in rows.model._meta.concrete_fields
            if field.many_to_one and field.related_model is not type(entry)
        ]
        content[relation] = [str(row) for row in rows.select_related(*pointed)]
    return content


def revision_content(revision: Revision, entry: models.Model) -> Content:
    """Return the entry's content as recorded in a revision."""
    model = type(entry)
    entry_type = ContentType.objects.get_for_model(model)
    versions = list(revision.version_set.all())
    content: Content = {}
    rows: dict[int, list[tuple[int, str]]] = {}
    for version in versions:
        if version.content_type_id == entry_type.pk and version.object_id == str(
            entry.pk
        ):
            data = version.field_dict
            for field in _fields(model):
                content[field.name] = _normal(field, data.get(field.attname))
        else:
            position = version.field_dict.get("position", 0) or 0
            rows.setdefault(version.content_type_id, []).append(
                (position, version.object_repr)
            )
    for relation in _owned_relations(model):
        related = model._meta.get_field(relation).related_model
        type_id = ContentType.objects.get_for_model(related).pk
        content[relation] = [text for _, text in sorted(rows.get(type_id, []))]
    return content


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Return the old and new text with removed and added words marked."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        before, after = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(before)
            right.append(after)
        else:
            if before:
                left.append(f"<del>{before}</del>")
            if after:
                right.append(f"<ins>{after}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308


def _names(field: models.Field, pks: list[str], public: bool) -> dict[str, str]:
    queryset = field.related_model._default_manager.all()
    if public and hasattr(queryset, "published"):
        queryset = queryset.published()
    objects = queryset.in_bulk(pks)
    return {str(pk): str(obj) for pk, obj in objects.items()}


def _list_diff(old: list[str], new: list[str]) -> tuple[SafeString, SafeString]:
    removed = [item for item in old if item not in new]
    added = [item for item in new if item not in old]
    kept = [item for item in new if item in old]
    left = format_html_join(", ", "<del>{}</del>", ((i,) for i in removed))
    right = format_html_join(", ", "<ins>{}</ins>", ((i,) for i in added))
    if kept:
        unchanged = escape(", ".join(kept))
        left = mark_safe(f"{left}{'; ' if removed else ''}{unchanged}")  # noqa: S308
        right = mark_safe(f"{right}{'; ' if added else ''}{unchanged}")  # noqa: S308
    return left, right


def compare(
    model: type[models.Model], old: Content, new: Content, *, public: bool = False
) -> list[FieldChange]:
    """Return the fields that differ between two contents, unchanged ones left out.

    With `public`, related entries that are not published are left out by name.
    """
    changes = []
    for field in _fields(model):
        before, after = old.get(field.name), new.get(field.name)
        if before == after:
            continue
        label = str(field.verbose_name).capitalize()
        if field.is_relation:
            if not field.many_to_many:
                before, after = [before], [after]
            names = _names(field, [pk for pk in [*before, *after] if pk], public)
            left, right = _list_diff(
                [names[pk] for pk in before if pk in names],
                [names[pk] for pk in after if pk in names],
            )
            if not left and not right:
                continue
        else:
            left, right = word_diff(before or "", after or "")
        changes.append(FieldChange(field.name, label, left, right))
    for relation in _owned_relations(model):
        before, after = old.get(relation, []), new.get(relation, [])
        if before != after:
            label = str(
                model._meta.get_field(relation).related_model._meta.verbose_name_plural
            ).capitalize()
            left, right = _list_diff(before, after)
            changes.append(FieldChange(relation, label, left, right))
    return changes


def content_field_names(model: type[models.Model]) -> list[str]:
    """Return every compared name: content fields and owned lists."""
    return [*content_fields(model), *_owned_relations(model)]
