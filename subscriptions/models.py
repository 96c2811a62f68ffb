"""Readers who follow what changes: an address, what it follows, what is pending.

The private link of an address is never stored: the row keeps a random salt
(the link is derived from it with SECRET_KEY, so mails can carry it) and the
link's SHA-256 (to find the row). A copy of the database opens no manage page.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from reversion.models import Revision


class Subscriber(models.Model):
    email = models.EmailField(unique=True, help_text="Lower-cased.")
    salt = models.CharField(max_length=32, help_text="Derives the private link.")
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the private link's token."
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address owner first confirmed."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="subscriber_unconfirmed_idx",
                condition=models.Q(confirmed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.email


class Subscription(models.Model):
    """One thing an address follows: an entry, all new incidents, or the briefing.

    `target` is "new_incidents", "weekly", or "<app.model>:<pk>" of an entry.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    target = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="Nothing is sent before the owner confirms."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "target"], name="one_subscription_per_target"
            )
        ]
        indexes = [models.Index(fields=["target", "subscriber"])]

    def __str__(self) -> str:
        return f"{self.subscriber} follows {self.target}"


class PendingChange(models.Model):
    """A published, non-minor change waiting for the next sending run."""

    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    first = models.BooleanField(default=False, help_text="First publication.")
    recorded_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When a sending run mailed it."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="pending_change_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"revision {self.revision_id}"
