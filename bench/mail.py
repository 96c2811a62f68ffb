"""The mail benchmark (`make bench-mail`): one sending run to 10,000 subscribers.

Steps: create the database BENCH_MAIL_DATABASE_URL (dropped first), migrate,
publish a small taxonomy and one incident, add BENCH_SUBSCRIBERS confirmed
subscribers who follow it (in bulk), start a real SMTP server (aiosmtpd, in this
process) and publish a change of the incident: its sending run and the outbox
deliveries are then run by `manage.py db_worker --batch` in a child process,
exactly as in production. Reports the time to record the mails (the sending run
task), the time to deliver them over SMTP (the outbox tasks), the messages the
server received, and the worker's peak resident memory (from wait4). Writes the
figures between the "mail bench" markers of bench/RESULTS.md, below the line the
main benchmark keeps. Not part of the test suite.

Environment: BENCH_SUBSCRIBERS (10000), BENCH_MAIL_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/tw_bench_mail).
"""

import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "10000"))
DATABASE_URL = os.environ.get(
    "BENCH_MAIL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tw_bench_mail"
)
START, END = "<!-- mail bench -->", "<!-- /mail bench -->"


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def recreate_database() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Counter:
    def __init__(self):
        self.count = 0
        self.recipients: set[str] = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def main() -> None:
    from aiosmtpd.controller import Controller

    port = free_port()
    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "SUBSCRIPTION_BATCH_MINUTES": "0",
        "SITE_URL": "https://threatwatch.example.org",
    }
    os.environ.update(env)
    say(f"Recreating {DATABASE_URL} and migrating…")
    recreate_database()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from editorial import services
    from subscriptions import tokens
    from subscriptions.models import Subscriber, Subscription
    from tests.factories import make_incident, make_user

    reviewer = make_user("bench-reviewer", role="Reviewer")
    author = make_user("bench-author", role="Author")
    incident = make_incident(title="A chatbot leaked addresses")
    key = f"incidents.incident:{incident.pk}"
    say(f"Adding {SUBSCRIBERS} confirmed subscribers…")
    now = timezone.now()
    salts = [tokens.new_salt() for _ in range(SUBSCRIBERS)]
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"reader{i}@bench.example.org",
                salt=salt,
                token_hash=tokens.token_hash(tokens.token_for(salt)),
                confirmed_at=now,
            )
            for i, salt in enumerate(salts)
        ],
        batch_size=2000,
    )
    Subscription.objects.bulk_create(
        [
            Subscription(subscriber_id=pk, target=key, confirmed_at=now)
            for pk in Subscriber.objects.values_list("pk", flat=True)
        ],
        batch_size=2000,
    )

    def apply(live):
        live.narrative += " The vendor confirmed the leak."
        live.save()

    with transaction.atomic():
        services.edit(incident, by=author, apply=apply, summary="Vendor confirmed.")
        services.submit(incident, by=author)
    with transaction.atomic():
        services.approve(incident, by=reviewer)  # commits: the run is enqueued
    from django.db import connections

    connections.close_all()

    say("Running the worker (db_worker --batch)…")
    load_before = os.getloadavg()
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload",
         "--no-startup-delay", "--interval", "0", "-v", "0"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    _, status, usage = os.wait4(worker.pid, 0)
    wall = time.monotonic() - started
    load_after = os.getloadavg()
    smtp.stop()
    assert os.waitstatus_to_exitcode(status) == 0, status

    from django_tasks_db.models import DBTaskResult

    from outbox.models import OutboxMessage

    def seconds(path: str) -> float:
        tasks = DBTaskResult.objects.filter(task_path=path, status="SUCCESSFUL")
        return sum((t.finished_at - t.started_at).total_seconds() for t in tasks)

    record_s = seconds("subscriptions.tasks.send_changes")
    deliver_s = seconds("outbox.tasks.deliver")
    sent = OutboxMessage.objects.filter(status="sent").count()
    queued = OutboxMessage.objects.exclude(status="sent").count()
    peak_mib = usage.ru_maxrss / 1024
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    cores = os.cpu_count()
    rate = sent / deliver_s if deliver_s else 0
    rows = "\n".join(
        f"| {name} | {value} |"
        for name, value in (
            (
                f"sending run (build {SUBSCRIBERS:,} mails from templates, "
                "record them in the outbox)",
                f"{record_s:.1f} s",
            ),
            (
                "delivery over SMTP, one message at a time (claim, send, mark sent)",
                f"{deliver_s:.1f} s ({rate:.0f} mails/s)",
            ),
            ("worker wall time, start to exit", f"{wall:.1f} s"),
            ("worker peak resident memory (ru_maxrss)", f"{peak_mib:.0f} MiB"),
            (
                "load average (1/5/15 min) before / after the worker",
                " ".join(f"{x:.2f}" for x in load_before)
                + " / "
                + " ".join(f"{x:.2f}" for x in load_after),
            ),
            (
                "mails sent / left unsent / received by the server",
                f"{sent:,} / {queued:,} / {counter.count:,} "
                f"({len(counter.recipients):,} distinct recipients)",
            ),
        )
    )
    section = f"""{START}
## Mail: one sending run to {SUBSCRIBERS:,} subscribers

Written by `make bench-mail` (bench/mail.py) on {timezone.now():%Y-%m-%d}, commit
{commit}{" (with uncommitted edits)" if dirty else ""}; {platform.machine()}, {cores}
cores, PostgreSQL and the SMTP server (aiosmtpd, in the benchmark's process) on this
machine. {SUBSCRIBERS:,} confirmed subscribers follow one incident; a change of it is
published and `manage.py db_worker --batch` runs the sending run and the deliveries.

| measure | value |
|---|---:|
{rows}
{END}"""
    say(section)
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text(encoding="utf-8")
    if START in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
