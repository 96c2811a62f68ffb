"""Publish approved changes that are due and withdraw expired entries (cron)."""

from django.core.management.base import BaseCommand

from editorial.services import publish_scheduled


class Command(BaseCommand):
    help = (
        "Publish approved changes whose go-live time has come and unpublish entries "
        "whose expiry has passed. Idempotent: safe to run every minute from cron."
    )

    def handle(self, *args, **options) -> None:
        published, expired = publish_scheduled(log=self.stdout.write)
        self.stdout.write(
            f"Published {published} scheduled change(s); "
            f"unpublished {expired} expired entr{'y' if expired == 1 else 'ies'}."
        )
