"""The background task that rebuilds the download files (run by `db_worker`)."""

from django_tasks import task

from .models import RebuildRequest


@task()
def rebuild_snapshot() -> str:
    """Build a new snapshot of the published data set; return its folder."""
    from .builder import build

    # Cleared first: a change published while building asks for the next one.
    RebuildRequest.objects.filter(pk=1).update(pending=False)
    return build().folder
