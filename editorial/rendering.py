"""Render an old revision like its public page, from stored data only.

Each app registers how its entries render as public pages, given an entry object
(`register(Term, render_term)`). For an old revision we build an unsaved copy of
the entry from the stored version, with its relations and owned rows attached
as if prefetched, and hand it to that function: the database is only read.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from reversion.models import Version
from reversion.revisions import _get_options

Renderer = Callable[[HttpRequest, models.Model], HttpResponse]
_renderers: dict[type[models.Model], Renderer] = {}


def register(model: type[models.Model], renderer: Renderer) -> None:
    _renderers[model] = renderer


def renderer_for(model: type[models.Model]) -> Renderer | None:
    return _renderers.get(model)


def _prefetched(model: type[models.Model], objects: list) -> models.QuerySet:
    queryset = model._default_manager.none()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset


def _visible(model: type[models.Model]) -> models.QuerySet:
    queryset = model._default_manager.all()
    return queryset.published() if hasattr(queryset, "published") else queryset


def entry_from_version(version: Version) -> models.Model:
    """Return an unsaved copy of the entry as the version stored it.

    Many-to-many relations are the stored ids, filtered to what readers may
    see; owned rows (an incident's sources) come from the same revision.
    """
    stored = version._object_version
    entry = stored.object
    model = type(entry)
    cache = {}
    for name, pks in (stored.m2m_data or {}).items():
        field = model._meta.get_field(name)
        related = list(_visible(field.related_model).filter(pk__in=pks))
        cache[field.name] = _prefetched(field.related_model, related)
    for relation in _get_options(model).follow:
        rel = model._meta.get_field(relation)
        row_type = ContentType.objects.get_for_model(rel.related_model)
        rows = [
            other._object_version.object
            for other in version.revision.version_set.filter(content_type=row_type)
        ]
        rows.sort(key=lambda row: (getattr(row, "position", 0), row.pk or 0))
        cache[rel.get_accessor_name()] = _prefetched(rel.related_model, rows)
    entry._prefetched_objects_cache = cache
    return entry


def render_version(request: HttpRequest, version: Version) -> HttpResponse | None:
    """Render the stored version as its public page, or None if it has no page."""
    entry = entry_from_version(version)
    renderer = renderer_for(type(entry))
    if renderer is None:
        return None
    request.is_preview = True
    request.preview_label = (
        f"Revision of {version.revision.date_created:%Y-%m-%d %H:%M}, read-only"
    )
    response = renderer(request, entry)
    if hasattr(response, "render"):
        response.render()
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
