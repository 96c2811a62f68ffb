"""An entry's editorial state in plain words, said once: for the panel and lists."""

from django.utils import timezone

from .models import Change, EditorialEntry, State


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "a set time"


def _change_words(status: str | None) -> str:
    return {
        Change.Status.EDITING: "a change is being drafted, not yet submitted",
        Change.Status.IN_REVIEW: "a change is waiting for review",
        Change.Status.CHANGES_REQUESTED: "a change was sent back to its author",
        Change.Status.SCHEDULED: "an approved change is scheduled",
    }.get(status, "")


def short_label(state: str, change_status: str | None) -> str:
    """Return a few words for a list column: the state and the open change."""
    if state == State.PUBLISHED:
        words = _change_words(change_status)
        return f"Published; {words}" if words else "Published"
    if state == State.ARCHIVED:
        return "Archived"
    if change_status == Change.Status.CHANGES_REQUESTED:
        return "Draft, sent back"
    if change_status == Change.Status.SCHEDULED:
        return "Approved, scheduled"
    if state == State.IN_REVIEW or change_status == Change.Status.IN_REVIEW:
        return "In review"
    return "Draft"


def describe(entry: EditorialEntry, change: Change | None) -> str:
    """Return one sentence saying where the entry is and what readers see."""
    status = change.status if change is not None else None
    if entry.state == State.ARCHIVED:
        return "Archived: withdrawn from the public site and kept with its history."
    if entry.state == State.PUBLISHED:
        if status == Change.Status.SCHEDULED:
            return (
                "Published. An approved change goes live at "
                f"{_when(change.go_live_at)}; until then readers see the "
                "published version."
            )
        if status is not None:
            return (
                f"Published; {_change_words(status)}. Readers see the published "
                "version until a reviewer approves it."
            )
        return "Published: readers see this version."
    if status == Change.Status.SCHEDULED:
        return f"Approved: goes public at {_when(change.go_live_at)}. Not public yet."
    if status == Change.Status.IN_REVIEW or entry.state == State.IN_REVIEW:
        return "In review: waiting for a reviewer. Not public yet."
    if status == Change.Status.CHANGES_REQUESTED:
        return "Draft, sent back to its author with changes requested. Not public."
    if entry.first_published:
        return "Draft: unpublished, readers no longer see it."
    return "Draft: not submitted for review yet. Never published."
