"""The history of one entry: its revisions, filtered, paged and compared."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from reversion.models import Version

from . import diffs
from .models import EditorialEntry

PER_PAGE = 50


def date_filter(field_name: str, label: str, lookup: str) -> django_filters.DateFilter:
    """Return a date filter on a timestamp, shown as a date picker."""
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class HistoryFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        field_name="revision__user",
        queryset=get_user_model().objects.filter(is_staff=True),
        label="By",
    )
    since = date_filter("revision__date_created", "From", "date__gte")
    until = date_filter("revision__date_created", "To", "date__lte")

    class Meta:
        model = Version
        fields = ["user", "since", "until"]


def entry_versions(entry: EditorialEntry) -> QuerySet:
    """Return the entry's own versions, newest first, with revision and meta."""
    return (
        Version.objects.get_for_object(entry)
        .select_related("revision__user", "revision__meta")
        .order_by("-revision__date_created", "-pk")
    )


def compare(entry: EditorialEntry, old: Version | None, new: Version | None):
    """Return the changed fields between two versions; None means the live row."""
    model = type(entry)

    def content(version):
        if version is None:
            return diffs.live_content(entry)
        return diffs.revision_content(version.revision, entry)

    before, after = content(old), content(new)
    changes = diffs.compare(model, before, after)
    total = len(diffs.content_field_names(model))
    return changes, total - len(changes)
