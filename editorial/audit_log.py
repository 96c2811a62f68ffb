"""The site-wide audit log for staff: filter by user, action, type and dates; CSV."""

import csv

import django_filters
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from .history import date_filter
from .models import AuditEvent

PER_PAGE = 50
#: Fields listed in a row before "and N more".
FIELDS_SHOWN = 4


def _entry_types(request=None):
    types = ContentType.objects.filter(
        pk__in=AuditEvent.objects.values("content_type").distinct()
    )
    return types.order_by("app_label", "model")


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(is_staff=True), label="User"
    )
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices)
    content_type = django_filters.ModelChoiceFilter(
        queryset=_entry_types, label="Entry type"
    )
    since = date_filter("at", "From", "date__gte")
    until = date_filter("at", "To", "date__lte")

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "content_type", "since", "until"]


def with_links(events) -> list[AuditEvent]:
    """Give each event the admin addresses of its entry and the entry's history."""
    events = list(events)
    names: dict[int, str | None] = {}
    for event in events:
        type_id = event.content_type_id
        if type_id not in names:
            content_type = ContentType.objects.get_for_id(type_id)
            model = content_type.model_class()
            registered = model is not None and admin.site.is_registered(model)
            names[type_id] = (
                f"admin:{content_type.app_label}_{content_type.model}"
                if registered
                else None
            )
        name = names[type_id]
        event.admin_url = event.history_url = None
        if name:
            event.admin_url = reverse(f"{name}_change", args=[event.object_id])
            event.history_url = reverse(f"{name}_history", args=[event.object_id])
        fields = event.changed_fields or []
        event.fields_shown = fields[:FIELDS_SHOWN]
        event.fields_more = max(0, len(fields) - FIELDS_SHOWN)
    return events


def recent_actions(user, limit: int = 10) -> list[AuditEvent]:
    """Return the user's own latest editorial actions, newest first, with links."""
    if not user.is_authenticated:
        return []
    events = AuditEvent.objects.filter(actor=user).select_related("content_type")
    return with_links(events[:limit])


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm("editorial.view_auditevent"):
        raise PermissionDenied("Only reviewers and administrators see the audit log.")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        ["time", "user", "action", "entry type", "entry id", "entry", "fields", "note"]
    )
    for event in events.iterator(chunk_size=1000):
        yield writer.writerow(
            [
                timezone.localtime(event.at).isoformat(timespec="seconds"),
                event.actor.get_username() if event.actor else "system",
                event.action,
                event.content_type.model,
                event.object_id,
                event.entry_repr,
                " ".join(event.changed_fields),
                event.comment,
            ]
        )


@staff_member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _check(request)
    events = AuditEvent.objects.select_related("actor", "content_type")
    audit_filter = AuditFilter(request.GET, queryset=events)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(
            _csv_rows(audit_filter.qs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
    page = Paginator(audit_filter.qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "admin/editorial/audit_log.html",
        {
            **admin.site.each_context(request),
            "title": "Audit log",
            "filter": audit_filter,
            "page_obj": page,
            "events": with_links(page.object_list),
            "query": query.urlencode(),
        },
    )
