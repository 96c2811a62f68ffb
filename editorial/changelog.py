"""The public changelog: published changes only, as pages and an Atom feed."""

from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from reversion.models import Version

from . import diffs, public_notes
from .models import EditorialEntry, RevisionMeta

PER_PAGE = 50


def editorial_models() -> list[type[EditorialEntry]]:
    return [m for m in apps.get_models() if issubclass(m, EditorialEntry)]


def _currently_public() -> Q:
    """Match revisions whose entry is published now (withdrawn ones vanish)."""
    return reduce(
        or_,
        (
            Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=model.objects.published().values("pk"),
            )
            for model in editorial_models()
        ),
    )


def published_changes(*, include_minor: bool = False) -> QuerySet:
    changes = (
        RevisionMeta.objects.filter(published=True)
        .filter(_currently_public())
        .select_related("revision", "content_type")
        .order_by("-revision__date_created", "-pk")
    )
    return changes if include_minor else changes.filter(minor=False)


def with_entries(metas) -> list[tuple[RevisionMeta, EditorialEntry]]:
    """Pair each change with its published entry, one query per entry type."""
    ids: dict[int, set[int]] = {}
    for meta in metas:
        ids.setdefault(meta.content_type_id, set()).add(meta.object_id)
    entries = {}
    for type_id, pks in ids.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for pk, entry in model.objects.published().in_bulk(pks).items():
            entries[type_id, pk] = entry
    return [
        (meta, entries[key])
        for meta in metas
        if (key := (meta.content_type_id, meta.object_id)) in entries
    ]


def entry_history_url(entry: EditorialEntry) -> str:
    return reverse(
        "editorial:entry_changes",
        kwargs={"label": entry._meta.label_lower, "object_id": entry.pk},
    )


def changes(request: HttpRequest) -> HttpResponse:
    include_minor = request.GET.get("minor") == "1"
    page = Paginator(published_changes(include_minor=include_minor), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "editorial/changes.html",
        {
            "page_obj": page,
            "rows": with_entries(page.object_list),
            "include_minor": include_minor,
            "query": "minor=1" if include_minor else "",
        },
    )


def _public_entry(label: str, object_id: int) -> EditorialEntry:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404("No such kind of entry.") from None
    if not issubclass(model, EditorialEntry):
        raise Http404("No such kind of entry.")
    entry = model.objects.published().filter(pk=object_id).first()
    if entry is None:
        raise Http404("No such published entry.")
    return entry


def entry_changes(request: HttpRequest, label: str, object_id: int) -> HttpResponse:
    """List an entry's published versions and compare two of them."""
    entry = _public_entry(label, object_id)
    versions = list(
        Version.objects.get_for_object(entry)
        .filter(revision__meta__published=True)
        .select_related("revision__meta")
        .order_by("-revision__date_created", "-pk")
    )
    by_id = {str(version.pk): version for version in versions}
    diff = old = new = None
    if "a" in request.GET or "b" in request.GET:
        old, new = (
            by_id.get(request.GET.get("a", "")),
            by_id.get(request.GET.get("b", "")),
        )
        if old is None or new is None:
            raise Http404("Pick two published versions of this entry.")
        if old.pk > new.pk:
            old, new = new, old
        diff = diffs.compare(
            type(entry),
            diffs.revision_content(old.revision, entry),
            diffs.revision_content(new.revision, entry),
            public=True,
        )
    return render(
        request,
        "editorial/entry_changes.html",
        {"entry": entry, "versions": versions, "diff": diff, "old": old, "new": new},
    )


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Threatwatch: recently published changes"
    subtitle = "Entries of the AI threats knowledge base as they are published."

    def link(self) -> str:
        return reverse("editorial:changes")

    def items(self):
        return with_entries(list(published_changes()[:50]))

    def item_title(self, item) -> str:
        meta, entry = item
        return f"{entry}: {public_notes.shown(meta)}"

    def item_description(self, item) -> str:
        meta, entry = item
        return public_notes.shown(meta)

    def item_link(self, item) -> str:
        return item[1].get_absolute_url()

    def item_guid(self, item) -> str:
        return f"threatwatch-revision-{item[0].revision_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[0].revision.date_created

    def item_updateddate(self, item):
        return item[0].revision.date_created
