"""Write a large synthetic knowledge base for benchmarks (PostgreSQL only)."""

import time

from django.core.management.base import BaseCommand, CommandError

from bench.corpus import generate


class Command(BaseCommand):
    help = (
        "Generate N published glossary terms and M published incidents, with K "
        "revisions each and one term with --heavy-revisions revisions, in bulk. "
        "Reuses the taxonomy when one is loaded (run load_demo first), otherwise "
        "creates its own. Not idempotent: each run adds a new corpus."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--terms", type=int, required=True)
        parser.add_argument("--incidents", type=int, required=True)
        parser.add_argument(
            "--revisions", type=int, default=2, help="Revisions per entry (>= 1)."
        )
        parser.add_argument(
            "--heavy-revisions",
            type=int,
            default=500,
            help="Revisions of the first generated term (the history benchmark).",
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options) -> None:
        if options["revisions"] < 1 or options["heavy_revisions"] < 1:
            raise CommandError("Every entry needs at least one revision.")
        started = time.monotonic()
        try:
            totals = generate(
                terms=options["terms"],
                incidents=options["incidents"],
                revisions=options["revisions"],
                heavy_revisions=options["heavy_revisions"],
                seed=options["seed"],
                log=self.stdout.write,
            )
        except (RuntimeError, ValueError) as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated {totals.incidents} incidents and {totals.terms} terms "
            f"({totals.revisions} revisions; {totals.heavy_term!r} has "
            f"{options['heavy_revisions']}) in {elapsed:.1f}s"
        )
