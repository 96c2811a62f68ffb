from django.core.management.base import BaseCommand

from subscriptions import sending


class Command(BaseCommand):
    help = (
        "Run a sending run now: one mail per follower with the published changes "
        "that concern them. The worker runs it after every publish; cron may too."
    )

    def handle(self, *args, **options) -> None:
        count = sending.send_changes()
        self.stdout.write(f"Recorded {count} mails in the outbox.")
