"""Delete old revisions, keeping the newest N of each entry and every one in use."""

from django.core.management.base import BaseCommand

from editorial.retention import prune_revisions


class Command(BaseCommand):
    help = (
        "Keep the newest N revisions of each entry; the live, latest, pending and "
        "scheduled revisions are never deleted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--keep", type=int, required=True, help="Revisions to keep")

    def handle(self, *args, keep: int, **options) -> None:
        deleted = prune_revisions(keep=keep)
        self.stdout.write(f"Deleted {deleted} old revision(s).")
