"""Triage of readers' submissions; every action writes one audit event.

Promoting a submission goes through the editorial services: a draft incident is
one revision signed by the editor, a new source on an incident is a pending
change, and both are reviewed and published by reviewers as usual.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from editorial import audit
from editorial import services as editorial
from incidents.models import (
    Incident,
    IncidentEntity,
    IncidentSource,
    Organisation,
    ThreatPattern,
)

from . import notifications
from .hints import normalise_url
from .models import Submission, hash_token, new_token

Action = audit.Action


class TriageError(Exception):
    """A triage action was refused: the submission is closed, or input is missing."""


@transaction.atomic
def receive(**fields) -> tuple[Submission, str]:
    """Store a reader's submission; return it and its private status token."""
    token = new_token()

    target = fields.pop("target", None)
    submission = Submission(token_hash=hash_token(token), **fields)
    if target is not None:
        submission.target = target
        submission.target_repr = str(target)[:300]
    submission.save()
    audit.record(Action.CREATE, submission, by=None, comment="Received from a reader")
    return submission, token


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _require_open(submission: Submission) -> None:
    if not submission.is_open:
        raise TriageError(
            f"{submission.reference} is already closed "
            f"({submission.get_status_display().lower()})."
        )


@transaction.atomic
def claim(submission: Submission, *, by) -> Submission:
    """Take the submission on: it is in triage, with this editor."""
    submission = _locked(submission)
    _require_open(submission)
    submission.claimed_by = by
    submission.status = Submission.Status.IN_TRIAGE
    submission.save()
    audit.record(Action.CLAIM, submission, by=by, comment=f"Claimed by {by}")
    return submission


def _close(
    submission: Submission,
    *,
    by,
    status: str,
    action: str,
    comment: str,
    result=None,
    note: str = "",
) -> Submission:
    submission.status = status
    submission.closed_at = timezone.now()
    submission.outcome_note = note
    if submission.claimed_by is None:
        submission.claimed_by = by
    if result is not None:
        submission.result = result
    submission.save()
    audit.record(action, submission, by=by, comment=comment)
    notifications.send_outcome(submission)
    return submission


def _organisations(names: list[str]) -> tuple[list[Organisation], list[str]]:
    """Match the reader's organisations by name to existing ones.

    Return the matches and the names that matched none (editors add those by
    hand: a reader's spelling never creates an organisation).
    """
    found, unknown = [], []
    for name in names[:10]:
        organisation = Organisation.objects.filter(name__iexact=name.strip()).first()
        if organisation is None:
            unknown.append(name.strip())
        elif organisation not in found:
            found.append(organisation)
    return found, unknown


def _source_title(url: str) -> str:
    return url.split("//", 1)[-1][:300]


@transaction.atomic
def create_draft_incident(
    submission: Submission,
    *,
    by,
    primary_pattern: ThreatPattern,
    severity: str = "medium",
    status: str = Incident.Status.ALLEGED,
    evidence_level: str = Incident.Evidence.SINGLE_SOURCE,
    impact_level: str = Incident.Impact.INDIVIDUAL,
) -> Incident:
    """Turn an incident report into a draft incident: one revision by the editor."""
    submission = _locked(submission)
    _require_open(submission)
    if submission.kind != Submission.Kind.REPORT:
        raise TriageError("Only an incident report becomes a draft incident.")
    if not by.has_perm("incidents.add_incident"):
        raise TriageError("You may not create incidents.")
    description = submission.description.strip()
    title = submission.title.strip() or _source_title(submission.urls()[0])
    occurred = submission.occurred or f"{timezone.localdate():%Y}"
    incident = Incident.objects.create(
        title=title[:240],
        slug=slugify(title)[:200] or "incident",
        summary=(description.split("\n")[0] or title)[:400],
        narrative=description or title,
        date_occurred=occurred,
        status=status,
        severity=severity,
        evidence_level=evidence_level,
        impact_level=impact_level,
        primary_pattern=primary_pattern,
    )
    for position, url in enumerate(submission.urls(), start=1):
        IncidentSource.objects.create(
            incident=incident,
            position=position,
            title=_source_title(url),
            source_type=IncidentSource.Type.JOURNALISM,
            url=url[:500],
        )
    organisations, unknown = _organisations(submission.organisation_names())
    for position, organisation in enumerate(organisations, start=1):
        IncidentEntity.objects.create(
            incident=incident,
            position=position,
            organisation=organisation,
            role=IncidentEntity.Role.OTHER,
        )
    editorial.save_draft(
        incident,
        by=by,
        summary=(
            f"Drafted from reader submission {submission.reference}"
            + (f"; organisations to add: {', '.join(unknown)}" if unknown else "")
        )[:300],
        action=Action.CREATE,
    )
    _close(
        submission,
        by=by,
        status=Submission.Status.ACCEPTED,
        action=Action.ACCEPT,
        comment=f"Drafted as {incident.code}",
        result=incident,
    )
    return incident


@transaction.atomic
def add_as_source(submission: Submission, *, by, incident: Incident) -> Incident:
    """Add the report's URLs as sources of an incident, through a pending change."""
    submission = _locked(submission)
    _require_open(submission)
    if not by.has_perm("incidents.change_incident"):
        raise TriageError("You may not edit incidents.")
    cited = {normalise_url(s.url) for s in incident.sources.all()}
    new = [url for url in submission.urls() if normalise_url(url) not in cited]
    if not new:
        raise TriageError(f"{incident.code} already cites every URL of the report.")

    def apply(live: Incident) -> None:
        start = live.sources.count()
        for n, url in enumerate(new, start=start + 1):
            IncidentSource.objects.create(
                incident=live,
                position=n,
                title=_source_title(url),
                source_type=IncidentSource.Type.JOURNALISM,
                url=url[:500],
            )

    editorial.edit(
        incident,
        by=by,
        apply=apply,
        summary=f"Source from reader submission {submission.reference}",
    )
    _close(
        submission,
        by=by,
        status=Submission.Status.ACCEPTED,
        action=Action.ACCEPT,
        comment=f"Added as a source to {incident.code}",
        result=incident,
    )
    return incident


@transaction.atomic
def accept_correction(submission: Submission, *, by) -> Submission:
    """Accept a correction: the editor makes it in the target's edit form."""
    submission = _locked(submission)
    _require_open(submission)
    if submission.kind != Submission.Kind.CORRECTION or submission.target is None:
        raise TriageError("Only a correction of an existing entry can be applied.")
    return _close(
        submission,
        by=by,
        status=Submission.Status.ACCEPTED,
        action=Action.ACCEPT,
        comment=f"Applying as a correction to {submission.target_repr}",
        result=submission.target,
    )


@transaction.atomic
def mark_duplicate(submission: Submission, *, by, incident: Incident) -> Submission:
    submission = _locked(submission)
    _require_open(submission)
    return _close(
        submission,
        by=by,
        status=Submission.Status.DUPLICATE,
        action=Action.MARK_DUPLICATE,
        comment=f"Duplicate of {incident.code}",
        result=incident,
    )


@transaction.atomic
def reject(submission: Submission, *, by, reason: str) -> Submission:
    submission = _locked(submission)
    _require_open(submission)
    reason = reason.strip()
    if not reason:
        raise TriageError("Say why: the submitter sees the reason.")
    return _close(
        submission,
        by=by,
        status=Submission.Status.REJECTED,
        action=Action.REJECT,
        comment=reason,
        note=reason[:2000],
    )


@transaction.atomic
def mark_spam(submission: Submission, *, by) -> Submission:
    submission = _locked(submission)
    _require_open(submission)
    return _close(
        submission,
        by=by,
        status=Submission.Status.SPAM,
        action=Action.SPAM,
        comment="Marked as spam",
    )


def purge(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete name and email of submissions closed more than `days` days ago."""
    now = now or timezone.now()
    days = settings.SUBMISSION_RETENTION_DAYS if days is None else days
    due = Submission.objects.closed().filter(
        closed_at__lte=now - datetime.timedelta(days=days),
        personal_data_deleted_at=None,
    )
    return due.update(
        submitter_name="",
        submitter_email="",
        contact_consent=False,
        personal_data_deleted_at=now,
    )


def content_type_of(entry) -> ContentType:
    return ContentType.objects.get_for_model(entry)
