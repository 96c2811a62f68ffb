"""The background task that delivers the outbox (run by `manage.py db_worker`)."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from . import delivery


@task()
def deliver() -> dict:
    """Send what is due; if some mail must wait (server down), come back then."""
    result = delivery.deliver_due()
    if result.retry_at is not None:
        schedule(max(result.retry_at, timezone.now()))
    return {"sent": result.sent, "failed": result.failed, "deferred": result.deferred}


def schedule(run_after: datetime.datetime | None = None) -> None:
    """Ask the worker to deliver (now, or not before `run_after`)."""
    if _already_scheduled(run_after):
        return
    task = deliver if run_after is None else deliver.using(run_after=run_after)
    task.enqueue()


def _already_scheduled(run_after) -> bool:
    """Whether a delivery that has not started yet will run by `run_after`."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = deliver.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False

    waiting = DBTaskResult.objects.filter(
        task_path=deliver.module_path,
        status="READY",
        backend_name=backend.alias,
    )
    by = run_after or timezone.now()
    return waiting.filter(Q(run_after=get_date_max()) | Q(run_after__lte=by)).exists()
