"""The development server with the background worker beside it (`make run`)."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run `manage.py db_worker` (mail and other background tasks) in a child "
        "process, then the development server; stopping one stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options) -> None:
        # runserver's autoreloader runs this command again in a child process
        # (RUN_MAIN=true); only the outer process starts the worker.
        if os.environ.get("RUN_MAIN") == "true":
            call_command("runserver", addrport)
            return
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*"],
            cwd=settings.BASE_DIR,
        )
        self.stdout.write(f"Background worker started (pid {worker.pid}).")
        try:
            call_command("runserver", addrport)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
