"""The outbox: recorded with the change, sent once by the worker, retried, visible."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from editorial import services as editorial
from editorial.roles import AUTHOR, REVIEWER
from outbox import delivery
from outbox.models import OutboxMessage
from outbox.services import Mail, enqueue
from tests.factories import make_term, make_user
from tests.mailserver import run_worker

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def mails(n: int, prefix: str = "test") -> list[Mail]:
    return [
        Mail(
            key=f"{prefix}:{i}",
            to=f"reader{i}@example.org",
            subject=f"Message {i}",
            text=f"Plain text {i}: https://example.org/{i}",
            html=f"<p>HTML {i}: <a href='https://example.org/{i}'>link</a></p>",
            headers={"List-Unsubscribe": f"<https://example.org/u/{i}>"},
        )
        for i in range(n)
    ]


def queued_tasks():
    return DBTaskResult.objects.filter(task_path="outbox.tasks.deliver", status="READY")


def test_enqueue_records_in_the_transaction_and_schedules_on_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue(*mails(2))
        enqueue(*mails(2))  # the same keys again: nothing new
        assert OutboxMessage.objects.count() == 2
        assert not queued_tasks().exists()  # nothing asks the worker before commit
    assert callbacks
    assert queued_tasks().count() == 1  # one delivery task, however many calls
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"queued"}


def test_a_rolled_back_change_leaves_no_mail():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(*mails(1))
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_the_worker_delivers_each_message_once_over_real_smtp(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(*mails(3))
    run_worker()
    assert [m.rcpt_tos for m in smtp_server.messages] == [
        [f"reader{i}@example.org"] for i in range(3)
    ]
    first = smtp_server.messages[0]
    assert first.message["Subject"] == "Message 0"
    assert first.message["List-Unsubscribe"] == "<https://example.org/u/0>"
    assert first.message["Message-ID"] == delivery.message_id("test:0")
    assert "https://example.org/0" in first.text
    assert "<a href='https://example.org/0'>" in first.html
    sent = OutboxMessage.objects.filter(status="sent")
    assert sent.count() == 3 and all(m.sent_at and m.attempts == 1 for m in sent)
    # Running again, or enqueueing the same keys again, sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(*mails(3))
    run_worker()
    delivery.deliver_due()
    assert len(smtp_server.messages) == 3


def test_server_down_then_up_delivers_everything_once(
    smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(*mails(4))
    run_worker()
    assert smtp_server.messages == []
    tried = OutboxMessage.objects.get(attempts=1)
    assert tried.status == "queued" and "Connection refused" in tried.last_error
    assert OutboxMessage.objects.filter(attempts=0).count() == 3  # not hammered
    # The worker comes back after the backoff, not at once.
    retry = queued_tasks().get()
    assert retry.run_after >= tried.next_attempt_at > timezone.now()
    assert run_worker() == 0

    smtp_server.start()
    # Time passes: the backoff is over.
    past = timezone.now() - datetime.timedelta(seconds=1)
    OutboxMessage.objects.update(next_attempt_at=past)
    queued_tasks().update(run_after=past)
    run_worker()
    assert sorted(m.message["Subject"] for m in smtp_server.messages) == [
        f"Message {i}" for i in range(4)
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    run_worker()
    delivery.deliver_due()
    assert len(smtp_server.messages) == 4


def test_a_refused_recipient_fails_with_the_error_and_others_go_on(
    smtp_server, django_capture_on_commit_callbacks
):
    def refuse(message):
        if message["To"] == "reader0@example.org":
            raise ValueError("no such mailbox")  # aiosmtpd answers 500

    smtp_server.collector.on_message = refuse
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(*mails(2))
    run_worker()
    failed = OutboxMessage.objects.get(to="reader0@example.org")
    assert failed.status == "failed" and "500" in failed.last_error
    assert OutboxMessage.objects.get(to="reader1@example.org").status == "sent"


def test_publishing_returns_while_the_mail_server_hangs(
    client, hanging_smtp_server, django_capture_on_commit_callbacks
):
    author = make_user("alice", role=AUTHOR, email="alice@example.org")
    reviewer = make_user("rita", role=REVIEWER, email="rita@example.org")
    term = make_term(slug="deepfake", state="draft")
    editorial.save_draft(term, by=author, summary="First draft")
    with django_capture_on_commit_callbacks(execute=True):
        editorial.submit(term, by=author)
    client.force_login(reviewer)
    url = reverse("admin:glossary_term_workflow", args=[term.pk, "approve"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.status_code == 200
    term.refresh_from_db()
    assert term.state == "published"
    # The request never spoke to the mail server: the mail waits in the outbox.
    assert hanging_smtp_server.connections == []
    assert mail.outbox == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"queued"}
    # The worker meets the hanging server, times out and keeps the mail queued.
    run_worker(max_tasks=1)
    assert len(hanging_smtp_server.connections) == 1
    tried = OutboxMessage.objects.filter(attempts=1).get()
    assert tried.status == "queued" and "timed out" in tried.last_error


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_nothing_twice(smtp_server, settings):
    with transaction.atomic():
        enqueue(*mails(5, prefix="batch"))
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch"]
    command += ["--no-startup-delay", "--no-reload", "--interval", "0"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env)

    def crash_on_third(message):
        if message["Subject"] == "Message 2":
            # The server has the message; the worker dies before it hears 250.
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)

    smtp_server.collector.on_message = crash_on_third
    worker.wait(timeout=120)
    assert worker.returncode == -signal.SIGKILL
    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses["batch:0"] == statuses["batch:1"] == "sent"
    assert statuses["batch:2"] == "sending"  # claimed, outcome unknown

    # Restarted later (the claim is older than any send can take), the sweep
    # sends the rest and gives up on the one in doubt instead of sending it again.
    OutboxMessage.objects.filter(key="batch:2").update(
        claimed_at=timezone.now() - delivery.interrupted_after() * 2
    )
    smtp_server.collector.on_message = None
    subprocess.run(
        [sys.executable, "manage.py", "send_outbox"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    subjects = [m.message["Subject"] for m in smtp_server.messages]
    assert sorted(subjects) == [f"Message {i}" for i in range(5)]  # each once
    in_doubt = OutboxMessage.objects.get(key="batch:2")
    assert in_doubt.status == "failed" and "not sent again" in in_doubt.last_error
    assert OutboxMessage.objects.filter(status="sent").count() == 4


def test_staff_see_the_outbox_read_only(client, django_capture_on_commit_callbacks):
    admin = make_user("boss", role="Administrator")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(*mails(1))
    OutboxMessage.objects.update(status="failed", last_error="SMTPDataError: 554 no")
    client.force_login(admin)
    page = client.get(
        reverse("admin:outbox_outboxmessage_changelist") + "?status=failed"
    )
    assert page.status_code == 200 and "reader0@example.org" in page.content.decode()
    message = OutboxMessage.objects.get()
    detail = client.get(
        reverse("admin:outbox_outboxmessage_change", args=[message.pk])
    ).content.decode()
    assert "SMTPDataError: 554 no" in detail
    assert client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403


def test_old_sent_and_failed_mail_is_purged(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    enqueue(*mails(4))
    old = timezone.now() - datetime.timedelta(days=31)
    OutboxMessage.objects.filter(key__in=["test:0", "test:1"]).update(
        status="sent", created_at=old
    )
    OutboxMessage.objects.filter(key="test:2").update(created_at=old)  # queued
    OutboxMessage.objects.filter(key="test:3").update(status="failed")  # recent
    call_command("purge_outbox")
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == [
        "test:2",
        "test:3",
    ]
