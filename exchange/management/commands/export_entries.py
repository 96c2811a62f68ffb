import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from exchange import exporter, json_format


class Command(BaseCommand):
    help = (
        "Write the published knowledge base (with --all, drafts and pending "
        "changes too) as JSON that import_entries loads into an empty site."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="File to write; - for standard output."
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Include drafts, states and pending changes (not for the public).",
        )

    def handle(self, *args, output, everything, **options):
        document = exporter.export(everything=everything)
        text = json_format.dumps(document)
        if output == "-":
            sys.stdout.write(text)
            return
        Path(output).write_text(text, encoding="utf-8")
        totals = ", ".join(f"{n} {k}" for k, n in document["_meta"]["totals"].items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {totals} to {output}."))
