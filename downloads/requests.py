"""Ask for a rebuild of the download files after published content changed."""

from django.db import transaction
from django.utils import timezone

from .models import RebuildRequest


def request_rebuild(**kwargs) -> bool:
    """Enqueue one rebuild unless one is already waiting; return whether it did.

    Connected to `editorial.signals.public_content_changed`, which is sent after
    the change committed, so the task never sees a draft or a rolled-back write.
    """
    from .tasks import rebuild_snapshot

    with transaction.atomic():
        request, created = RebuildRequest.objects.select_for_update().get_or_create(
            pk=1, defaults={"pending": True, "requested_at": timezone.now()}
        )
        if not created:
            if request.pending:
                return False
            request.pending, request.requested_at = True, timezone.now()
            request.save()
        rebuild_snapshot.enqueue()
    return True
