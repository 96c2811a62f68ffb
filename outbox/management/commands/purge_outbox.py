from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = (
        "Delete sent and failed mail older than --days (30): the outbox holds "
        "addresses and private links. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int = 30, **options) -> None:
        count = services.purge(days=days)
        self.stdout.write(f"Deleted {count} old outgoing messages.")
