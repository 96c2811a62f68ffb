"""The history of one entry: its revisions, filtered, paged and compared."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from reversion.models import Version

from . import diffs
from .models import AuditEvent, EditorialEntry

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


Action = AuditEvent.Action
#: The steps of review that record no revision of their own.
WORKFLOW_ACTIONS = (
    Action.SUBMIT,
    Action.REQUEST_CHANGES,
    Action.APPROVE,
    Action.SCHEDULE,
)
LABELS = {
    Action.SUBMIT: "Submitted for review",
    Action.REQUEST_CHANGES: "Changes requested",
    Action.APPROVE: "Approved",
    Action.SCHEDULE: "Approved and scheduled",
}


@dataclass(frozen=True)
class WorkflowStep:
    """A step of review in an entry's history, shown beside its revisions."""

    at: object
    actor: object
    label: str
    comment: str
    is_step: bool = True


def workflow_steps(entry: EditorialEntry, filters: dict | None = None) -> list:
    """Return the entry's review steps, newest first; a submit after a send-back
    reads "Resubmitted"."""
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(entry),
        object_id=entry.pk,
        action__in=WORKFLOW_ACTIONS,
    ).select_related("actor")
    steps, sent_back = [], False
    for event in events.order_by("at", "pk"):
        label = LABELS[event.action]
        if event.action == Action.SUBMIT and sent_back:
            label = "Resubmitted for review"
        sent_back = event.action == Action.REQUEST_CHANGES
        steps.append(WorkflowStep(event.at, event.actor, label, event.comment))
    filters = filters or {}
    if filters.get("user"):
        steps = [step for step in steps if step.actor == filters["user"]]
    if filters.get("since"):
        steps = [step for step in steps if step.at.date() >= filters["since"]]
    if filters.get("until"):
        steps = [step for step in steps if step.at.date() <= filters["until"]]
    return steps[::-1]


def timeline(versions: list[Version], steps: list, *, newer, older) -> list:
    """Merge one page of revisions with the review steps that fall in it.

    `newer` and `older` bound the page (None at the first or last page): a
    step belongs to the page of the revisions either side of it.
    """
    kept = [
        step
        for step in steps
        if (newer is None or step.at <= newer) and (older is None or step.at > older)
    ]
    rows = [*versions, *kept]
    return sorted(
        rows,
        key=lambda row: (
            row.at if getattr(row, "is_step", False) else row.revision.date_created
        ),
        reverse=True,
    )
