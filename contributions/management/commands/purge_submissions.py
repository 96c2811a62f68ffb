from django.conf import settings
from django.core.management.base import BaseCommand

from contributions import services


class Command(BaseCommand):
    help = (
        "Delete the name and email of submissions closed more than "
        "SUBMISSION_RETENTION_DAYS days ago. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Override SUBMISSION_RETENTION_DAYS "
            f"(now {settings.SUBMISSION_RETENTION_DAYS}).",
        )

    def handle(self, *args, days=None, **options) -> None:
        count = services.purge(days=days)
        self.stdout.write(f"Deleted the personal data of {count} closed submissions.")
