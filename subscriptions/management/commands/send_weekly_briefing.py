from django.core.management.base import BaseCommand

from subscriptions import sending


class Command(BaseCommand):
    help = (
        "Record the weekly briefing (the last seven days' new and updated incidents "
        "by domain) for its readers. Run it weekly from cron; twice in a week sends "
        "it once."
    )

    def handle(self, *args, **options) -> None:
        count = sending.send_weekly()
        self.stdout.write(f"Recorded {count} weekly briefings in the outbox.")
