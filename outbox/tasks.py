"""The background task that delivers the outbox (run by `manage.py db_worker`)."""

from django.utils import timezone
from django_tasks import task


@task()
def deliver() -> dict:
    """Send what is due; if some mail must wait (server down), come back then."""
    from . import services

    result = services.deliver_due()
    if result.retry_at is not None:
        services.schedule(max(result.retry_at, timezone.now()))
    return {"sent": result.sent, "failed": result.failed, "deferred": result.deferred}
