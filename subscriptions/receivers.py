"""Published changes become pending notifications for the next sending run."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver
from django.utils import timezone

from editorial.signals import public_content_changed

from .models import PendingChange


@receiver(public_content_changed, dispatch_uid="subscriptions.record_change")
def record_change(sender, *, pk, action, revision, minor, first, **kwargs) -> None:
    """Only a published, non-minor change is told; pending work never is."""
    if action != "publish" or minor or revision is None:
        return
    PendingChange.objects.get_or_create(
        revision=revision,
        defaults={
            "content_type": ContentType.objects.get_for_model(sender),
            "object_id": pk,
            "first": bool(first),
        },
    )
    schedule_run()


def schedule_run() -> None:
    """One sending run SUBSCRIPTION_BATCH_MINUTES from now groups what comes by."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from . import tasks

    delay = datetime.timedelta(minutes=settings.SUBSCRIPTION_BATCH_MINUTES)
    backend = tasks.send_changes.get_backend()
    if isinstance(backend, DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            task_path=tasks.send_changes.module_path,
            status="READY",
            backend_name=backend.alias,
        )
        if waiting.exists():
            return  # the run already due will take this change too
    if delay:
        tasks.send_changes.using(run_after=timezone.now() + delay).enqueue()
    else:
        tasks.send_changes.enqueue()
