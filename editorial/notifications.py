"""Emails about review: reviewers hear of submissions, authors of decisions.

Called inside the service's transaction: the mail is recorded in the outbox with
the change and sent by the background worker, never from the request.
"""

import hashlib

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from outbox.services import Mail, enqueue

from .addresses import site_url
from .models import Change


def _reviewers():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="review_change")
            | Q(user_permissions__codename="review_change")
        )
        .exclude(email="")
        .distinct()
    )


def _admin_url(entry) -> str:
    opts = entry._meta
    path = f"/admin/{opts.app_label}/{opts.model_name}/{entry.pk}/change/"
    return site_url(path)


def submitted(entry, change: Change, *, by) -> None:
    recipients = [u.email for u in _reviewers() if u.pk != by.pk]
    if not recipients:
        return
    _send(
        f"review:{change.pk}:submitted",
        recipients,
        f"[Threatwatch] Review requested: {entry}",
        f"{by} submitted a change to {entry} for review.\n\n"
        f"Summary: {change.summary or '(none)'}\n\nReview it at {_admin_url(entry)}",
    )


def _send(reason: str, recipients: list[str], subject: str, body: str) -> None:
    """One outbox message per recipient, keyed by the event and the address."""
    at = timezone.now().isoformat()
    enqueue(
        *(
            Mail(key=f"{reason}:{at}:{_digest(to)}", to=to, subject=subject, text=body)
            for to in recipients
        )
    )


def _digest(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest()[:16]


def editor_emails(change: Change) -> list[str]:
    return sorted({u.email for u in change.editors.all() if u.email})


def decided(
    entry,
    *,
    outcome: str,
    by,
    recipients: list[str],
    comment: str = "",
    go_live_at=None,
) -> None:
    """Tell the editors of a change what the reviewer decided."""
    if not recipients:
        return
    if outcome == "changes_requested":
        subject = f"[Threatwatch] Changes requested: {entry}"
        body = f"{by} sent your change back with this comment:\n\n{comment}"
    elif outcome == "scheduled":
        subject = f"[Threatwatch] Approved, scheduled: {entry}"
        body = (
            f"{by} approved your change; it goes live at {go_live_at:%Y-%m-%d %H:%M}."
        )
    else:
        subject = f"[Threatwatch] Published: {entry}"
        body = f"{by} approved your change and it is now public."
    _send(
        f"review:{entry._meta.label_lower}:{entry.pk}:{outcome}",
        recipients,
        subject,
        f"{body}\n\n{_admin_url(entry)}",
    )
