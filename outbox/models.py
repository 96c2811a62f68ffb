"""Mail waiting to be sent, or sent: one row per recipient and reason."""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Names the recipient and the reason; the same key is never "
        "recorded, so never sent, twice.",
    )
    to = models.CharField(max_length=254, help_text="The one recipient.")
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="Not tried again before this time."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it to send."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due_idx",
                condition=models.Q(status="queued"),
            )
        ]
        verbose_name = "outgoing message"

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
