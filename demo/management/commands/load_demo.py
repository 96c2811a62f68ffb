"""Load the demo taxonomy, incidents and glossary; entries already present stay."""

from django.core.management.base import BaseCommand, CommandError

from demo.loader import DemoDataError, load_all
from downloads.builder import build
from downloads.models import Snapshot


class Command(BaseCommand):
    help = (
        "Load the demo data set in one transaction, publishing each new entry as "
        "the system user demo-loader. Entries whose code or slug already exists "
        "are left untouched."
    )

    def handle(self, *args, **options) -> None:
        try:
            report = load_all()
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary())
        # The quick start has no worker running yet: build the downloads now.
        if report.created or not Snapshot.objects.exists():
            snapshot = build()
            self.stdout.write(f"Built the download files (snapshot {snapshot.folder}).")
