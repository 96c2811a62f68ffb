"""Writes of the editorial life cycle; every caller goes through these."""

import datetime

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import EditorialEntry, State


def _record(entry: EditorialEntry, *, by: AbstractBaseUser | None, comment: str):
    """Save the entry and record one revision of it with its relations."""
    with reversion.create_revision(atomic=False):
        entry.version += 1
        entry.save()
        reversion.add_to_revision(entry)
        reversion.set_user(by)
        reversion.set_comment(comment)


@transaction.atomic
def publish(
    entry: EditorialEntry,
    *,
    by: AbstractBaseUser | None,
    minor: bool = False,
    comment: str = "Published",
    on: datetime.date | None = None,
) -> None:
    """Make the entry public and stamp its public dates."""
    now = timezone.now()
    today = on or timezone.localdate(now)
    entry.state = State.PUBLISHED
    if entry.first_published is None:
        entry.first_published = now
    if not minor or entry.last_updated is None:
        entry.last_updated = today
    _record(entry, by=by, comment=comment)


@transaction.atomic
def unpublish(
    entry: EditorialEntry, *, by: AbstractBaseUser | None, comment: str = ""
) -> None:
    """Withdraw the entry from the public; it goes back to draft."""
    entry.state = State.DRAFT
    _record(entry, by=by, comment=comment or "Unpublished")
