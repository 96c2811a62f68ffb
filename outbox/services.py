"""The outbox: requests record mail in their own transaction, a worker sends it.

`enqueue` writes one row per message inside the caller's transaction (so the mail
exists exactly when the change that caused it commits) and, once that commits,
asks the background worker (django-tasks, `manage.py db_worker`) to deliver
(`tasks.schedule`); `delivery.deliver_due` is what the worker runs.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage
from .tasks import schedule


@dataclass(frozen=True)
class Mail:
    key: str
    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def enqueue(*mails: Mail) -> None:
    """Record the mails in the current transaction; deliver them after commit.

    Idempotent by key: a key already recorded is left as it is (like
    get_or_create, in one statement for any number of mails).
    """
    if not mails:
        return
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=mail.key[:200],
                to=mail.to,
                subject=mail.subject[:300],
                text_body=mail.text,
                html_body=mail.html,
                headers=mail.headers,
            )
            for mail in mails
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # robust: a failure to reach the task queue is logged, never turned into an
    # error after the change committed; `send_outbox` from cron sends it anyway.
    transaction.on_commit(schedule, robust=True)


def purge(days: int = 30) -> int:
    """Delete sent and failed messages older than `days` (addresses and links)."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    count, _ = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED],
        created_at__lt=cutoff,
    ).delete()
    return count
