from django.core.management.base import BaseCommand

from outbox import delivery


class Command(BaseCommand):
    help = (
        "Send the queued mail that is due, now, in this process. The worker "
        "(manage.py db_worker) normally does this; cron can run it as a safety net."
    )

    def handle(self, *args, **options) -> None:
        result = delivery.deliver_due()
        self.stdout.write(
            f"Sent {result.sent}, failed {result.failed}, deferred {result.deferred}."
        )
