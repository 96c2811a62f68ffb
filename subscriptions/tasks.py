"""Background tasks (run by `manage.py db_worker`)."""

from django_tasks import task


@task()
def send_changes() -> int:
    from . import sending

    return sending.send_changes()
