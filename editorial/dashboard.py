"""The editor's dashboard on the admin index: what needs their attention."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import Change, EditorialEntry

LIMIT = 20

#: Extra panels on the dashboard from apps built on editorial (which imports
#: none of them): callables taking the user and returning None or a pair of a
#: template name and its context.
panels: list = []


@dataclass(frozen=True)
class Item:
    entry: object
    url: str
    note: str


def _admin_url(entry) -> str:
    opts = entry._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])


def _items(changes, note) -> list[Item]:
    items = []
    for change in changes.select_related("content_type")[:LIMIT]:
        entry = change.entry
        if entry is not None:
            items.append(Item(entry, _admin_url(entry), note(change)))
    return items


def editorial_models() -> list[type[EditorialEntry]]:
    return [m for m in apps.get_models() if issubclass(m, EditorialEntry)]


def stale_entries(limit: int = LIMIT) -> list[Item]:
    """Return published entries nobody has confirmed for STALE_AFTER_DAYS days."""
    cutoff = timezone.localdate() - datetime.timedelta(days=settings.STALE_AFTER_DAYS)
    items = []
    for model in editorial_models():
        stale = model.objects.published().filter(
            Q(last_reviewed__lt=cutoff)
            | Q(last_reviewed__isnull=True, last_updated__lt=cutoff)
        )
        for entry in stale.order_by("last_reviewed", "last_updated")[:limit]:
            checked = entry.last_reviewed or entry.last_updated
            items.append(Item(entry, _admin_url(entry), f"checked {checked:%Y-%m-%d}"))
    return sorted(items, key=lambda i: i.note)[:limit]


def dashboard(user) -> list[tuple[str, list[Item]]]:
    """Return the dashboard's sections for a user, each a title and its items."""
    mine = Change.objects.filter(editors=user)
    sections = []
    if services.can_review(user):
        sections.append(
            (
                "Awaiting my review",
                _items(
                    Change.objects.awaiting_review_by(user).order_by("submitted_at"),
                    lambda c: f"submitted {c.submitted_at:%Y-%m-%d %H:%M}",
                ),
            )
        )
    sections += [
        (
            "My drafts",
            _items(
                mine.filter(status=Change.Status.EDITING).order_by("-updated_at"),
                lambda c: f"saved {c.updated_at:%Y-%m-%d %H:%M}",
            ),
        ),
        (
            "Changes requested from me",
            _items(
                mine.filter(status=Change.Status.CHANGES_REQUESTED),
                lambda c: f"{c.reviewer}: {c.review_comment[:80]}",
            ),
        ),
        (
            "Scheduled",
            _items(
                Change.objects.filter(status=Change.Status.SCHEDULED).order_by(
                    "go_live_at"
                ),
                lambda c: f"goes live {c.go_live_at:%Y-%m-%d %H:%M}",
            ),
        ),
        ("Stale: not reviewed for a while", stale_entries()),
    ]
    return sections


def extra_panels(user) -> list[tuple[str, dict]]:
    """Return the registered panels that have something to show this user."""
    return [panel for panel in (make(user) for make in panels) if panel]
