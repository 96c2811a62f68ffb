"""The one email a submitter gets: the outcome, if they left an address and agreed.

All contributor mail goes through `send_outcome`: recorded in the outbox inside
the triage's transaction, sent by the background worker once it commits.
"""

from django.conf import settings
from django.utils import timezone

from editorial.addresses import site_url
from outbox.services import Mail, enqueue

from .models import Submission


def outcome_text(submission: Submission) -> str:
    entry = submission.public_result()
    link = site_url(entry.get_absolute_url()) if entry else ""
    if submission.status == Submission.Status.ACCEPTED:
        if link:
            return f"It is now part of the published entry {entry}: {link}"
        return (
            "An editor accepted it. It goes through our usual review; once the "
            "entry is published, your status page links to it."
        )
    if submission.status == Submission.Status.DUPLICATE:
        where = f" It is already covered by {entry}: {link}" if link else ""
        return f"It describes an incident we already have.{where}"
    reason = submission.outcome_note or "(no reason given)"
    return f"We did not take it up. The editor's reason: {reason}"


def send_outcome(submission: Submission) -> None:
    """Record the outcome mail, once, for a submitter who consented."""
    if not (submission.contact_consent and submission.submitter_email):
        return
    if submission.status == Submission.Status.SPAM or submission.outcome_emailed_at:
        return
    kind = submission.get_kind_display().lower()
    enqueue(
        Mail(
            key=f"submission:{submission.pk}:outcome",
            to=submission.submitter_email,
            subject=f"[{settings.SITE_NAME}] Your {kind} {submission.reference}: "
            f"{submission.get_status_display().lower()}",
            text=f"Thank you for your {kind} {submission.reference}.\n\n"
            f"{outcome_text(submission)}\n",
        )
    )
    submission.outcome_emailed_at = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        outcome_emailed_at=submission.outcome_emailed_at
    )
