from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from exchange import importer, sources


class Command(BaseCommand):
    help = (
        "Import glossary text files (.txt) and JSON in the shapes of /api/*.json "
        "(files or folders). All or nothing: any problem writes nothing. New "
        "entries become drafts (or are published with --publish); existing "
        "entries get a change, pending review when they are published."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders to import.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new entries, dated by their own last_updated.",
        )
        parser.add_argument(
            "--user",
            help=f"Record revisions as this user (default: {importer.SYSTEM_USER}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything and report what would change; write nothing.",
        )

    def handle(self, *args, paths, publish, user, dry_run, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user named {user!r}.")
        items, problems = sources.read_paths(paths)
        self.stdout.write(f"Read {len(items)} entries from {len(paths)} path(s).")
        try:
            report = importer.run(
                items,
                read_problems=problems,
                user=by,
                publish=publish,
                dry_run=dry_run,
                progress=self.stdout.write,
            )
        except importer.ImportFailed as failed:
            lines = "\n".join(f"  {problem}" for problem in failed.problems)
            raise CommandError(
                f"Import refused, nothing was written. {len(failed.problems)} "
                f"problem(s):\n{lines}"
            ) from None
        for line in report.actions:
            self.stdout.write(f"  {line}")
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {line}"))
        self.stdout.write(self.style.SUCCESS(report.summary()))
