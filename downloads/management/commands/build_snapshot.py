"""Build the download files of the published data set now."""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from downloads.builder import build, root


class Command(BaseCommand):
    help = (
        "Write a new snapshot of the published data set (the files of /downloads/) "
        "under SNAPSHOT_ROOT and drop the snapshots no longer kept. The worker "
        "does this by itself after each publish."
    )

    def handle(self, *args, **options) -> None:
        snapshot = build()
        size = sum(f["size"] for f in snapshot.files)
        self.stdout.write(
            f"Built snapshot {snapshot.folder}: {len(snapshot.files)} files, "
            f"{filesizeformat(size)}, in {root() / snapshot.folder}"
        )
