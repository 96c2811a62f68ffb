"""What readers send in: incident reports and corrections, kept apart from content.

A submission is never public as typed: an editor turns it into a draft, a
pending change or a correction, and only a published entry shows its words.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from incidents.models import PARTIAL_DATE, Incident


def hash_token(token: str) -> str:
    """Return the stored form of a status token (only its SHA-256 is kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class SubmissionQuerySet(models.QuerySet):
    def open(self) -> "SubmissionQuerySet":
        return self.filter(status__in=Submission.OPEN_STATUSES)

    def closed(self) -> "SubmissionQuerySet":
        return self.exclude(status__in=Submission.OPEN_STATUSES)

    def with_token(self, token: str) -> "SubmissionQuerySet":
        return self.filter(token_hash=hash_token(token))


class Submission(models.Model):
    """A reader's incident report or suggested correction, waiting for triage."""

    class Kind(models.TextChoices):
        REPORT = "report", "Incident report"
        CORRECTION = "correction", "Correction"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_TRIAGE = "in_triage", "In triage"
        ACCEPTED = "accepted", "Accepted"
        DUPLICATE = "duplicate", "Duplicate"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    OPEN_STATUSES = (Status.NEW, Status.IN_TRIAGE)

    kind = models.CharField(
        max_length=12, choices=Kind.choices, help_text="What the reader sent."
    )
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
        help_text="Where the submission is in triage.",
    )
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text="SHA-256 of the private status link's token.",
    )
    received_at = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="When the reader sent it."
    )
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the outcome was decided; personal data is deleted "
        "SUBMISSION_RETENTION_DAYS later.",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_submissions",
        help_text="The editor triaging it.",
    )
    # What the reader typed. Shown to editors escaped, never on a public page.
    title = models.CharField(max_length=240, blank=True, help_text="As typed.")
    occurred = models.CharField(
        max_length=10,
        blank=True,
        validators=[PARTIAL_DATE],
        help_text="When it happened: YYYY, YYYY-MM or YYYY-MM-DD.",
    )
    description = models.TextField(blank=True, help_text="As typed.")
    source_urls = models.TextField(blank=True, help_text="One URL per line.")
    organisations = models.TextField(
        blank=True, help_text="Organisations named by the reader, one per line."
    )
    proposed_text = models.TextField(
        blank=True, help_text="For a correction: the text the reader proposes."
    )
    target_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(
        max_length=300, blank=True, help_text="The entry a correction is about."
    )
    submitter_name = models.CharField(max_length=120, blank=True)
    submitter_email = models.EmailField(blank=True)
    contact_consent = models.BooleanField(
        default=False, help_text="The reader agreed to be contacted about it."
    )
    personal_data_deleted_at = models.DateTimeField(null=True, blank=True)
    # The outcome.
    result_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result_id = models.PositiveBigIntegerField(null=True, blank=True)
    result = GenericForeignKey("result_type", "result_id")
    outcome_note = models.TextField(
        blank=True,
        help_text="The editor's reason, shown to the submitter on the status page.",
    )
    outcome_emailed_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "-received_at"])]

    def __str__(self) -> str:
        about = self.title or self.target_repr or self.description[:60]
        return f"{self.reference} {self.get_kind_display().lower()}: {about}"[:300]

    @property
    def reference(self) -> str:
        return f"SUB-{self.pk:05d}" if self.pk else "SUB-new"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def urls(self) -> list[str]:
        return [line.strip() for line in self.source_urls.splitlines() if line.strip()]

    def organisation_names(self) -> list[str]:
        return [
            line.strip() for line in self.organisations.splitlines() if line.strip()
        ]

    def public_result(self):
        """Return the outcome's entry if readers can see it, else None."""
        entry = self.result
        if entry is None or not getattr(entry, "is_published", False):
            return None
        return entry

    def result_incident(self) -> Incident | None:
        entry = self.result
        return entry if isinstance(entry, Incident) else None
