"""Sending the outbox: what the worker does with the queued mail.

`deliver_due` sends queued messages one at a time, each under a row lock taken
with SKIP LOCKED and marked sent in the same transaction, so two workers never
send the same row and a worker killed mid-batch leaves every sent row marked.
A mail server that is down is retried with backoff; a recipient it refuses for
good is marked failed with the error, for staff to see in the admin.
"""

import datetime
import hashlib
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

#: Backoff after the n-th failed attempt: RETRY_SECONDS × 2^(n-1), capped.
RETRY_SECONDS = 60
RETRY_CAP_SECONDS = 3600
#: After this many attempts a message is marked failed.
MAX_ATTEMPTS = 10


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    retry_at: datetime.datetime | None = None


def message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{digest}@{domain}>"


def as_email(message: OutboxMessage, connection=None) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(message.key), **message.headers}
    email = EmailMultiAlternatives(
        message.subject,
        message.text_body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers=headers,
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    return email


def backoff(attempts: int) -> datetime.timedelta:
    seconds = min(RETRY_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS)
    return datetime.timedelta(seconds=seconds)


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message; anything else may pass later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000] or type(error).__name__


def deliver_due(*, limit: int | None = None) -> Delivery:
    """Send the queued messages that are due, one at a time.

    Each message is claimed (status "sending") and committed before it is handed
    to the mail server, and marked sent right after: a worker killed in between
    leaves at most that one message claimed, and `give_up_interrupted` marks it
    failed rather than sending it a second time. Stops early when the mail server
    cannot be reached (every other message would fail the same way) and says when
    to try again.
    """
    result = Delivery()
    give_up_interrupted()
    connection = get_connection(fail_silently=False)
    try:
        while limit is None or result.sent + result.failed < limit:
            message = _claim_next()
            if message is None:
                break
            try:
                # Kept open across the batch (send() alone would reconnect for
                # every message); reopened after a failure closed it.
                connection.open()
                as_email(message, connection).send()
            except Exception as error:  # noqa: BLE001 - recorded for staff
                _close_quietly(connection)
                if _record_failure(message, error, result):
                    continue
                return result
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxMessage.Status.SENT, sent_at=timezone.now()
            )
            result.sent += 1
    finally:
        _close_quietly(connection)
    result.retry_at = (  # the next message that waits for its backoff
        OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return result


def _claim_next() -> OutboxMessage | None:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                status=OutboxMessage.Status.QUEUED,
                next_attempt_at__lte=timezone.now(),
            )
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        message.status = OutboxMessage.Status.SENDING
        message.attempts += 1
        message.claimed_at = timezone.now()
        message.save(update_fields=["status", "attempts", "claimed_at"])
    return message


def _record_failure(message: OutboxMessage, error: Exception, result) -> bool:
    """Mark a failed attempt; return whether to go on with the next message."""
    permanent = _is_permanent(error)
    update = {"last_error": _describe(error), "claimed_at": None}
    if permanent or message.attempts >= MAX_ATTEMPTS:
        update["status"] = OutboxMessage.Status.FAILED
        result.failed += 1
    else:
        update["status"] = OutboxMessage.Status.QUEUED
        update["next_attempt_at"] = timezone.now() + backoff(message.attempts)
        result.deferred += 1
        # The server is down or slow: everything else waits as long.
        result.retry_at = update["next_attempt_at"]
    OutboxMessage.objects.filter(pk=message.pk).update(**update)
    return permanent


def interrupted_after() -> datetime.timedelta:
    """How long a claim may last: well over one send's SMTP timeouts."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    return datetime.timedelta(seconds=max(4 * timeout, 120))


def give_up_interrupted() -> int:
    """Fail messages whose worker died while sending them; never resend them.

    The mail server may or may not have taken such a message, so sending it again
    could deliver it twice; staff see it as failed with this explanation.
    """
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING,
        claimed_at__lt=timezone.now() - interrupted_after(),
    ).update(
        status=OutboxMessage.Status.FAILED,
        last_error="The worker stopped while sending this message; it may have "
        "arrived, so it is not sent again.",
    )


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001,S110 - a dead connection is closed already
        pass
