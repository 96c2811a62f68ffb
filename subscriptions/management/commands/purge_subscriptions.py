from django.core.management.base import BaseCommand

from subscriptions import services


class Command(BaseCommand):
    help = (
        "Delete addresses and subscriptions left unconfirmed for 7 days, and "
        "changes sent more than 7 days ago. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=services.UNCONFIRMED_DAYS)

    def handle(self, *args, days=services.UNCONFIRMED_DAYS, **options) -> None:
        count = services.purge_unconfirmed(days=days)
        self.stdout.write(f"Deleted {count} unconfirmed addresses.")
