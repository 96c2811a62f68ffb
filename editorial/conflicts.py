"""Edit conflicts: who saved the entry after an editor opened it, and what differs."""

from django.db import models
from django.utils import timezone

from .models import EditorialEntry
from .snapshots import latest_revision


def _short(value, limit: int = 80) -> str:
    if isinstance(value, models.QuerySet | list | tuple | set):
        text = ", ".join(sorted(str(item) for item in value))
    else:
        text = "" if value is None else str(value)
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def differences(entry: EditorialEntry, submitted: dict) -> list[str]:
    """Return 'field: theirs → yours' for each submitted field that differs."""
    lines = []
    for name, yours in submitted.items():
        try:
            field = entry._meta.get_field(name)
        except Exception:  # noqa: BLE001 - form-only fields are not content
            continue
        theirs = getattr(entry, name)
        if field.many_to_many:
            theirs = set(theirs.all()) if entry.pk else set()
            yours = set(yours or [])
        if theirs != yours and (theirs or yours):
            label = str(field.verbose_name)
            lines.append(f"{label}: theirs {_short(theirs)}, yours {_short(yours)}")
    return lines


def describe_conflict(entry: EditorialEntry, submitted: dict) -> str:
    """Return the message shown when a save is refused because of a newer save."""
    revision = latest_revision(entry)
    who, when = "Someone", ""
    if revision is not None:
        who = str(revision.user or "the system")
        when = timezone.localtime(revision.date_created).strftime(" at %Y-%m-%d %H:%M")
    diff = differences(entry, submitted)
    what = "; ".join(diff) if diff else "no field differs from your input"
    return (
        f"{who} saved this entry{when}, after you opened it. Where their version "
        f"and yours differ — {what}. Your input is kept below: check it, then save "
        "again to replace their version."
    )
