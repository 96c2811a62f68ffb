"""The editorial life cycle: every write of an entry goes through these functions.

Each function runs in one transaction, checks who may do what, records a
revision when content or public state changes, and writes one audit event.
Admin views, actions, commands, imports and the API all call these, so every
write path behaves the same.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from reversion.models import Revision

from . import audit, notifications, public_notes, signals, snapshots
from .models import Change, EditorialEntry, RevisionMeta, State

Action = audit.Action
REVIEW_PERMISSION = "editorial.review_change"


class WorkflowError(Exception):
    """A transition was refused: wrong state, wrong role, or the user's own change."""


def open_change(entry: EditorialEntry) -> Change | None:
    return Change.objects.for_entry(entry).select_related("snapshot").first()


def _locked_change(entry: EditorialEntry) -> Change | None:
    """Return the open change, locked until the transaction ends.

    Two reviewers deciding at once are served one after the other; the second
    then sees the first one's outcome and is refused with a clear message.
    """
    locked = Change.objects.for_entry(entry).select_for_update(of=("self",))
    return locked.select_related("snapshot").first()


def can_review(user: AbstractBaseUser | None) -> bool:
    return bool(user and user.is_active and user.has_perm(REVIEW_PERMISSION))


def _require_reviewer(user, action: str) -> None:
    if not can_review(user):
        raise WorkflowError(f"Only reviewers and administrators may {action}.")


def _require_other_reviewer(change: Change, user, action: str) -> None:
    _require_reviewer(user, action)
    if change.editors.filter(pk=user.pk).exists():
        raise WorkflowError(
            f"You cannot {action} a change you edited yourself: another reviewer "
            "must check it (four-eyes rule)."
        )


def lock_for_edit(model: type[EditorialEntry], pk) -> None:
    """Hold an entry's row until the current transaction ends.

    An edit checks the version the editor started from, then writes. Taking the
    row first makes the check and the write one step: a second save of the
    same entry waits here until the first has committed, then sees its new
    version and is refused as a conflict instead of overwriting it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "lock_for_edit() holds the row only inside transaction.atomic()."
        )
    try:
        list(model._default_manager.select_for_update().filter(pk=pk).values("pk"))
    except (ValueError, ValidationError):
        return  # not a key of this model: there is no row to hold


def may_submit(change: Change | None, user) -> bool:
    """Whether the user may send the change to review: someone who worked on it.

    A change nobody signed (an import by the system user) may be submitted by
    any editor. A reviewer who sent a change back does not resubmit it.
    """
    if change is None or change.status not in (
        Change.Status.EDITING,
        Change.Status.CHANGES_REQUESTED,
    ):
        return False
    if user is None or not user.is_active:
        return False
    if change.author_id == user.pk:
        return True
    editors = editor_ids(change)
    return not editors or user.pk in editors


def editor_ids(change: Change) -> set[int]:
    """Return the ids of everyone who edited the change (read once per object)."""
    if not hasattr(change, "_editor_ids"):
        change._editor_ids = set(change.editors.values_list("pk", flat=True))
    return change._editor_ids


def allowed_actions(entry: EditorialEntry, user, change: Change | None) -> list[str]:
    """Return the workflow actions the user may take on the entry now, in order.

    The same rules the transitions below enforce; the admin offers these only.
    """
    actions = []
    if may_submit(change, user):
        actions.append("submit")
    reviewer = can_review(user)
    if reviewer and change is not None and change.status == Change.Status.IN_REVIEW:
        if user.pk not in editor_ids(change):
            actions += ["approve", "request-changes"]
    if reviewer and entry.is_published:
        actions += ["confirm-reviewed", "unpublish"]
    if reviewer and entry.state != State.ARCHIVED:
        actions.append("archive")
    return actions


def _get_or_open_change(entry: EditorialEntry, by) -> Change:
    change = open_change(entry)
    if change is None:
        change = Change.objects.create(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            author=by if by is not None and by.is_authenticated else None,
        )
    return change


def _bump_version(entry: EditorialEntry) -> None:
    model = type(entry)
    model.objects.filter(pk=entry.pk).update(version=F("version") + 1)
    entry.version = model.objects.values_list("version", flat=True).get(pk=entry.pk)


def _after_edit(change: Change, by, summary: str, minor: bool) -> None:
    if by is not None and by.is_authenticated:
        change.editors.add(by)
    change.summary = summary or change.summary
    change.minor = minor
    if change.status == Change.Status.SCHEDULED:
        # An edit after approval needs a fresh approval.
        change.status = Change.Status.EDITING
        change.go_live_at = None
    change.save()


def _current_content(entry: EditorialEntry) -> list[snapshots.CapturedVersion]:
    revision = snapshots.latest_revision(entry)
    return snapshots.revision_versions(revision) if revision else []


@transaction.atomic
def save_draft(
    entry: EditorialEntry,
    *,
    by,
    summary: str = "",
    minor: bool = False,
    action: str | None = None,
) -> Revision:
    """Record an edit already written to an unpublished entry's row."""
    if entry.is_published:
        raise WorkflowError("A published entry is edited through a pending change.")
    before = _current_content(entry)
    change = _get_or_open_change(entry, by)
    _bump_version(entry)
    _after_edit(change, by, summary, minor)
    revision = snapshots.record_revision(
        entry, by=by, comment=summary or "Edited draft", previous_state=entry.state
    )
    after = snapshots.revision_versions(revision)
    audit.record(
        action or Action.EDIT,
        entry,
        by=by,
        changed_fields=snapshots.changed_fields(entry, before, after),
        comment=summary,
        revision=revision,
    )
    return revision


@transaction.atomic
def save_pending(
    entry: EditorialEntry,
    content: list[snapshots.CapturedVersion],
    *,
    by,
    summary: str = "",
    minor: bool = False,
    action: str | None = None,
) -> Change:
    """Hold an edit of a published entry apart until a reviewer approves it."""
    if not entry.is_published:
        raise WorkflowError("Only a published entry has pending changes.")
    change = _get_or_open_change(entry, by)
    before = (
        snapshots.revision_versions(change.snapshot)
        if change.is_pending
        else snapshots.capture(entry)
    )
    _bump_version(entry)
    change.snapshot = snapshots.store(
        entry, content, by=by, comment=summary or "Pending change", minor=minor
    )
    _after_edit(change, by, summary, minor)
    audit.record(
        action or Action.EDIT,
        entry,
        by=by,
        changed_fields=snapshots.changed_fields(entry, before, content),
        comment=summary or "Pending change",
        revision=change.snapshot,
    )
    return change


@transaction.atomic
def edit(
    entry: EditorialEntry,
    *,
    by,
    apply: Callable[[EditorialEntry], None],
    summary: str = "",
    minor: bool = False,
    action: str | None = None,
) -> Change | None:
    """Edit an entry through the life cycle, whichever path the edit comes from.

    `apply` writes the edit to the entry's row and relations (and saves them).
    A draft is edited in place; a published entry gets a pending change and its
    live rows are left as they were. An edit that changes nothing records
    nothing and returns None.
    """
    change = open_change(entry)
    pending = change.snapshot if change is not None and change.is_pending else None
    if not entry.is_published:
        before = snapshots.content_key(snapshots.capture(entry))
        apply(entry)
        if snapshots.content_key(snapshots.capture(entry)) == before:
            return None
        save_draft(entry, by=by, summary=summary, minor=minor, action=action)
        return open_change(entry)
    savepoint = transaction.savepoint()
    if pending is not None:
        snapshots.apply(entry, pending)
    before = snapshots.content_key(snapshots.capture(entry))
    apply(entry)
    content = snapshots.capture(entry)
    transaction.savepoint_rollback(savepoint)
    entry.refresh_from_db()  # the caller's object must not keep the rolled-back edit
    if snapshots.content_key(content) == before:
        return None
    live = type(entry)._default_manager.get(pk=entry.pk)
    return save_pending(
        live, content, by=by, summary=summary, minor=minor, action=action
    )


@transaction.atomic
def submit(entry: EditorialEntry, *, by) -> Change:
    """Send the entry's open change to the reviewers."""
    change = _locked_change(entry)
    if change is None or change.status not in (
        Change.Status.EDITING,
        Change.Status.CHANGES_REQUESTED,
    ):
        raise WorkflowError("There is no draft or sent-back change to submit.")
    if not may_submit(change, by):
        raise WorkflowError(
            "Only the people who worked on this change may submit it for review."
        )
    change.status = Change.Status.IN_REVIEW
    change.submitted_at = timezone.now()
    change.editors.add(by)
    change.save()
    if not entry.is_published:
        _set_state(entry, State.IN_REVIEW)
    audit.record(Action.SUBMIT, entry, by=by, comment=change.summary)
    notifications.submitted(entry, change, by=by)  # recorded with the change
    return change


@transaction.atomic
def request_changes(entry: EditorialEntry, *, by, comment: str) -> Change:
    """Send the change back to its author with the reviewer's comment."""
    change = _locked_change(entry)
    if change is None or change.status != Change.Status.IN_REVIEW:
        raise WorkflowError("Only a change in review can be sent back.")
    _require_reviewer(by, "request changes")
    if not comment.strip():
        raise WorkflowError("Say what needs to change: the comment is required.")
    change.status = Change.Status.CHANGES_REQUESTED
    change.review_comment = comment.strip()
    change.reviewer = by
    change.save()
    if not entry.is_published:
        _set_state(entry, State.DRAFT)
    audit.record(Action.REQUEST_CHANGES, entry, by=by, comment=change.review_comment)
    _notify_decision(entry, change, by=by, outcome="changes_requested")
    return change


@transaction.atomic
def approve(
    entry: EditorialEntry,
    *,
    by,
    go_live_at: datetime.datetime | None = None,
    expire_at: datetime.datetime | None = None,
    comment: str = "",
    public_note: str = "",
) -> Change | None:
    """Approve the change in review: publish it now or at `go_live_at`.

    `public_note` is what readers see in the changelog; empty gives the default
    (see `default_public_note`).
    """
    change = _locked_change(entry)
    if change is None or change.status != Change.Status.IN_REVIEW:
        raise WorkflowError("Only a change in review can be approved.")
    _require_other_reviewer(change, by, "approve")
    now = timezone.now()
    if expire_at and expire_at <= (go_live_at or now):
        raise WorkflowError("The expiry must come after the go-live time.")
    change.reviewer = by
    change.review_comment = comment
    change.public_note = public_note.strip()[: public_notes.MAX_LENGTH]
    change.expire_at = expire_at
    if go_live_at and go_live_at > now:
        change.status = Change.Status.SCHEDULED
        change.go_live_at = go_live_at
        change.save()
        audit.record(
            Action.SCHEDULE,
            entry,
            by=by,
            comment=f"Goes live {timezone.localtime(go_live_at):%Y-%m-%d %H:%M}",
        )
        _notify_decision(entry, change, by=by, outcome="scheduled")
        return change
    change.save()
    audit.record(Action.APPROVE, entry, by=by, comment=comment)
    _notify_decision(entry, change, by=by, outcome="published")
    _publish_change(entry, change, by=by)
    return None


def _notify_decision(entry: EditorialEntry, change: Change, *, by, outcome: str):
    # Recorded in the outbox inside this transaction; the worker sends it.
    notifications.decided(
        entry,
        outcome=outcome,
        by=by,
        recipients=notifications.editor_emails(change),
        comment=change.review_comment,
        go_live_at=change.go_live_at,
    )


def _publish_change(entry: EditorialEntry, change: Change, *, by) -> None:
    before = None
    if change.is_pending:
        before = snapshots.capture(entry)
        snapshots.apply(entry, change.snapshot)
    publish(
        entry,
        by=by,
        minor=change.minor and entry.is_published,
        # The approval step beside it carries the reviewer's comment; the
        # author's summary is on the author's own revision.
        comment="Published",
        expire_at=change.expire_at,
        before=before,
        public_note=change.public_note,
    )
    change.delete()


def default_public_note(
    entry: EditorialEntry, change: Change | None, changed: list[str] | None = None
) -> str:
    """Return the public note approving the entry's open change would get by default.

    `changed` names the fields the change alters, when the caller knows them.
    """
    if entry.first_published is None:
        return public_notes.FIRST_PUBLISHED
    if changed is not None:
        return public_notes.default_note(type(entry), changed, first=False)
    if change is not None and change.is_pending:
        before = snapshots.capture(entry)
        after = snapshots.revision_versions(change.snapshot)
    else:
        before = _last_published_content(entry)
        after = snapshots.capture(entry)
    changed = snapshots.changed_fields(entry, before, after)
    return public_notes.default_note(type(entry), changed, first=False)


@transaction.atomic
def publish(
    entry: EditorialEntry,
    *,
    by,
    minor: bool = False,
    comment: str = "Published",
    on: datetime.date | None = None,
    expire_at: datetime.datetime | None = None,
    action: str | None = None,
    before: list[snapshots.CapturedVersion] | None = None,
    public_note: str | None = None,
) -> Revision:
    """Make the entry's row public and stamp its public dates.

    The checked path is `approve`; this is also what trusted commands (demo data,
    imports with --publish) call. `comment` is the editors' note in the history;
    readers see `public_note`, by default "First published" or the changed
    fields in plain words.
    """
    now = timezone.now()
    previous = entry.state
    if before is None:
        before = _last_published_content(entry)
    first = entry.first_published is None
    entry.state = State.PUBLISHED
    entry.expires_at = expire_at
    stamp_public_dates(entry, now=now, on=on, minor=minor)
    entry.save()
    revision = snapshots.record_revision(
        entry,
        by=by,
        comment=comment,
        previous_state=previous,
        published=True,
        minor=minor,
        public_note=public_note or "",
    )
    # A first publication (or the first one on record) changes nothing readers
    # saw: it lists no fields.
    first_on_record = first or not before
    changed = (
        []
        if first_on_record
        else snapshots.changed_fields(
            entry, before, snapshots.revision_versions(revision)
        )
    )
    if not public_note:
        note = public_notes.default_note(type(entry), changed, first=first_on_record)
        RevisionMeta.objects.filter(revision=revision).update(public_note=note)
    audit.record(
        action or Action.PUBLISH,
        entry,
        by=by,
        changed_fields=changed,
        comment=comment,
        revision=revision,
    )
    _announce(entry, action=Action.PUBLISH, revision=revision, minor=minor, first=first)
    return revision


def stamp_public_dates(
    entry: EditorialEntry,
    *,
    now: datetime.datetime,
    on: datetime.date | None = None,
    minor: bool = False,
) -> None:
    """Set "First published" and "Last updated" for a publication at `now`.

    A publication dated `on` in the past (demo data, imports with --publish)
    was first published that day, not today. Whatever the dates given, an
    entry is never last updated before it was first published.
    """
    today = timezone.localdate(now)
    if entry.first_published is None:
        entry.first_published = now if on is None or on >= today else start_of_day(on)
    if not minor or entry.last_updated is None:
        entry.last_updated = on or today
    first_day = timezone.localdate(entry.first_published)
    if entry.last_updated < first_day:
        entry.last_updated = first_day


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _announce(
    entry: EditorialEntry, *, action: str, revision, minor: bool, first: bool = False
) -> None:
    """Send `public_content_changed` once the write commits."""
    model, pk = type(entry), entry.pk
    transaction.on_commit(
        lambda: signals.public_content_changed.send(
            sender=model,
            entry=entry,
            pk=pk,
            action=action,
            revision=revision,
            minor=minor,
            first=first,
        )
    )


def _last_published_content(entry: EditorialEntry):
    from reversion.models import Version

    version = (
        Version.objects.get_for_object(entry)
        .filter(revision__meta__published=True)
        .select_related("revision")
        .order_by("-pk")
        .first()
    )
    return snapshots.revision_versions(version.revision) if version else []


def _withdraw(
    entry: EditorialEntry, *, by, state: str, comment: str, action: str
) -> None:
    """Take a published entry off the public site; a pending edit becomes its draft."""
    change = open_change(entry)
    if change is not None and change.is_pending:
        snapshots.apply(entry, change.snapshot)
        change.snapshot = None
        change.status = Change.Status.EDITING
        change.save()
    previous = entry.state
    entry.state = state
    entry.expires_at = None
    entry.save()
    revision = snapshots.record_revision(
        entry, by=by, comment=comment, previous_state=previous
    )
    audit.record(action, entry, by=by, comment=comment, revision=revision)
    if previous == State.PUBLISHED:
        _announce(entry, action=action, revision=revision, minor=False)


@transaction.atomic
def unpublish(entry: EditorialEntry, *, by, comment: str = "") -> None:
    """Withdraw a published entry; it goes back to draft."""
    if by is not None:
        _require_reviewer(by, "unpublish")
    if not entry.is_published:
        raise WorkflowError("The entry is not published.")
    _withdraw(
        entry,
        by=by,
        state=State.DRAFT,
        comment=comment or "Unpublished",
        action=Action.UNPUBLISH,
    )


@transaction.atomic
def archive(entry: EditorialEntry, *, by, comment: str = "") -> None:
    """Withdraw the entry from the public and keep it, with its history."""
    _require_reviewer(by, "archive")
    if entry.state == State.ARCHIVED:
        raise WorkflowError("The entry is already archived.")
    _withdraw(
        entry,
        by=by,
        state=State.ARCHIVED,
        comment=comment or "Archived",
        action=Action.ARCHIVE,
    )


@transaction.atomic
def confirm_reviewed(entry: EditorialEntry, *, by) -> None:
    """Stamp `last_reviewed`: a reviewer checked the entry and it is still accurate."""
    _require_reviewer(by, "confirm an entry")
    if not entry.is_published:
        raise WorkflowError("Only a published entry can be confirmed as accurate.")
    entry.last_reviewed = timezone.localdate()
    type(entry).objects.filter(pk=entry.pk).update(last_reviewed=entry.last_reviewed)
    revision = snapshots.record_revision(
        entry, by=by, comment="Reviewed, still accurate", previous_state=entry.state
    )
    audit.record(Action.REVIEW, entry, by=by, revision=revision)


@transaction.atomic
def revert(entry: EditorialEntry, revision: Revision, *, by) -> Change | None:
    """Bring back an old revision's content as a new change, reviewed as usual."""
    when = timezone.localtime(revision.date_created)
    return edit(
        entry,
        by=by,
        apply=lambda live: snapshots.apply(live, revision),
        summary=f"Reverted to the revision of {when:%Y-%m-%d %H:%M}",
        action=Action.REVERT,
    )


@transaction.atomic
def delete(entry: EditorialEntry, *, by, comment: str = "") -> None:
    """Delete an entry, keeping its last content so it can be recovered."""
    revision = snapshots.record_revision(
        entry, by=by, comment=comment or "Deleted", previous_state=entry.state
    )
    audit.record(Action.DELETE, entry, by=by, comment=comment, revision=revision)
    if entry.is_published:
        _announce(entry, action=Action.DELETE, revision=revision, minor=False)
    Change.objects.for_entry(entry).delete()
    entry.delete()


@transaction.atomic
def recover(model: type[EditorialEntry], revision: Revision, *, by) -> EditorialEntry:
    """Bring a deleted entry back from its last revision, as a draft to review."""
    revision.revert(delete=False)
    entry_type = ContentType.objects.get_for_model(model)
    object_id = revision.version_set.get(content_type=entry_type).object_id
    entry = model._default_manager.get(pk=object_id)
    model._default_manager.filter(pk=entry.pk).update(
        state=State.DRAFT, expires_at=None
    )
    entry.refresh_from_db()
    save_draft(entry, by=by, summary="Recovered after deletion", action=Action.RECOVER)
    return entry


def publish_scheduled(
    *, now: datetime.datetime | None = None, log: Callable[[str], None] = print
) -> tuple[int, int]:
    """Publish approved changes that are due and withdraw expired entries."""
    from django.apps import apps

    now = now or timezone.now()
    published = expired = 0
    due = Change.objects.filter(status=Change.Status.SCHEDULED, go_live_at__lte=now)
    for change in due.select_related("content_type", "reviewer"):
        with transaction.atomic():
            locked = Change.objects.select_for_update(skip_locked=True).filter(
                pk=change.pk, status=Change.Status.SCHEDULED
            )
            if not locked.exists():
                continue
            entry = change.entry
            _publish_change(entry, change, by=change.reviewer)
        published += 1
        log(f"Published {entry._meta.verbose_name} {entry}")
    for model in apps.get_models():
        if not issubclass(model, EditorialEntry):
            continue
        for entry in model.objects.published().filter(expires_at__lte=now):
            with transaction.atomic():
                _withdraw(
                    entry,
                    by=None,
                    state=State.DRAFT,
                    comment="Expired",
                    action=Action.UNPUBLISH,
                )
            expired += 1
            log(f"Unpublished expired {model._meta.verbose_name} {entry}")
    return published, expired


def _set_state(entry: EditorialEntry, state: str) -> None:
    entry.state = state
    type(entry).objects.filter(pk=entry.pk).update(state=state)
