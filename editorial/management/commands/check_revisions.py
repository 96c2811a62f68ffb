"""Load every stored revision and report any that no longer deserialise."""

from django.core.management.base import BaseCommand, CommandError

from editorial.retention import check_revisions


class Command(BaseCommand):
    help = "Check that every stored revision still loads with the current models."

    def handle(self, *args, **options) -> None:
        from reversion.models import Version

        problems = list(check_revisions())
        for problem in problems:
            self.stderr.write(str(problem))
        total = Version.objects.count()
        if problems:
            raise CommandError(
                f"{len(problems)} of {total} stored versions are broken."
            )
        self.stdout.write(f"All {total} stored versions load.")
