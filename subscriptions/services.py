"""Following, confirming, changing and stopping subscriptions (double opt-in).

Nothing is sent to an address before its owner opens the confirmation link;
a stranger who types someone else's address causes one confirmation mail an
hour at most, and nothing else.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from . import mails, targets, tokens
from .models import PendingChange, Subscriber, Subscription

UNCONFIRMED_DAYS = 7


def by_token(token: str) -> Subscriber | None:
    if not token or len(token) > 100:
        return None
    return Subscriber.objects.filter(token_hash=tokens.token_hash(token)).first()


@transaction.atomic
def follow(email: str, target: str) -> Subscription:
    """Record a wish to follow `target`; mail the owner a confirmation link."""
    email = email.strip().lower()
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is None:
        salt = tokens.new_salt()
        subscriber = Subscriber.objects.create(
            email=email, salt=salt, token_hash=tokens.token_hash(tokens.token_for(salt))
        )
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber, target=target
    )
    if subscription.confirmed_at is None:
        mails.confirmation(subscriber, subscription)
    return subscription


@transaction.atomic
def confirm(subscriber: Subscriber) -> int:
    """The owner opened the link: every subscription waiting for it starts."""
    now = timezone.now()
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber.subscriptions.filter(confirmed_at__isnull=True).update(
        confirmed_at=now
    )


@transaction.atomic
def keep_only(subscriber: Subscriber, targets_kept: set[str]) -> int:
    """Stop every confirmed subscription not in `targets_kept`; add site-wide ones."""
    stopped, _ = (
        subscriber.subscriptions.filter(confirmed_at__isnull=False)
        .exclude(target__in=targets_kept)
        .delete()
    )
    now = timezone.now()
    for key in targets_kept & set(targets.SITE_WIDE):
        Subscription.objects.update_or_create(
            subscriber=subscriber, target=key, defaults={"confirmed_at": now}
        )
    return stopped


SCOPES = {
    "changes": "mails about the changes you follow",
    "weekly": "the weekly briefing",
    "all": "every mail from us",
}


@transaction.atomic
def unsubscribe(subscriber: Subscriber, scope: str) -> None:
    """Stop a kind of mail (one-click from a mail, or the manage page)."""
    subs = subscriber.subscriptions.all()
    if scope == "weekly":
        subs.filter(target=targets.WEEKLY).delete()
    elif scope == "changes":
        subs.exclude(target=targets.WEEKLY).delete()
    else:
        subscriber.delete()


def purge_unconfirmed(days: int = UNCONFIRMED_DAYS) -> int:
    """Delete addresses, and subscriptions, left unconfirmed for `days` days."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    PendingChange.objects.filter(sent_at__lt=cutoff).delete()
    _, deleted = Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted.get(Subscriber._meta.label, 0)


@transaction.atomic
def forget(subscriber: Subscriber, *, by) -> None:
    """An administrator deletes an address on request; the audit log keeps no email."""
    from editorial import audit
    from editorial.models import AuditEvent

    anonymous = Subscriber(pk=subscriber.pk, email=f"subscriber #{subscriber.pk}")
    audit.record(
        AuditEvent.Action.DELETE,
        anonymous,
        by=by,
        comment="Address and subscriptions deleted on request.",
    )
    subscriber.delete()
