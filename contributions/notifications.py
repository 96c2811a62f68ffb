"""The one email a submitter gets: the outcome, if they left an address and agreed.

All contributor mail goes through `send_outcome`, sent once the triage commits.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from editorial.addresses import site_url

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
    """Email the outcome once, after commit, to a submitter who consented."""
    if not (submission.contact_consent and submission.submitter_email):
        return
    if submission.status == Submission.Status.SPAM or submission.outcome_emailed_at:
        return
    pk = submission.pk

    def send() -> None:
        sub = Submission.objects.get(pk=pk)
        if sub.outcome_emailed_at or not sub.submitter_email:
            return
        kind = sub.get_kind_display().lower()
        send_mail(
            f"[{settings.SITE_NAME}] Your {kind} {sub.reference}: "
            f"{sub.get_status_display().lower()}",
            f"Thank you for your {kind} {sub.reference}.\n\n{outcome_text(sub)}\n",
            None,
            [sub.submitter_email],
        )
        Submission.objects.filter(pk=pk).update(outcome_emailed_at=timezone.now())

    transaction.on_commit(send)
