"""Following and publishing as readers and editors do, for the subscription tests."""

import re
from urllib.parse import urlsplit

from django.test import TestCase

from editorial import services
from editorial.roles import AUTHOR, REVIEWER
from tests.factories import make_user
from tests.mailserver import run_worker

INTERNAL_NOTE = "Editors only: checked with legal"


class Newsroom:
    def __init__(self):
        self.author = make_user(role=AUTHOR)
        self.reviewer = make_user(role=REVIEWER)

    def change(self, entry, *, summary: str, minor: bool = False, **fields):
        """Edit a published entry, submit and approve it: a published change.

        `summary` is the reviewer's public note; the author's own save note is
        INTERNAL_NOTE, which readers (and their mail) must never see.
        """

        fields = fields or _some_edit(entry, summary)

        def apply(live):
            for name, value in fields.items():
                setattr(live, name, value)
            live.save()

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.edit(
                entry, by=self.author, apply=apply, summary=INTERNAL_NOTE, minor=minor
            )
            services.submit(entry, by=self.author)
            services.approve(entry, by=self.reviewer, public_note=summary)
        entry.refresh_from_db()

    def pend(self, entry, *, summary: str, **fields):
        """Edit a published entry and submit it, without approving."""

        def apply(live):
            for name, value in fields.items():
                setattr(live, name, value)
            live.save()

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.edit(entry, by=self.author, apply=apply, summary=summary)
            services.submit(entry, by=self.author)

    def publish_new(self, entry):
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.publish(entry, by=self.reviewer, comment="First published")


def _some_edit(entry, note: str) -> dict:
    for name in ("narrative", "definition", "description"):
        if hasattr(entry, name):
            return {name: f"{getattr(entry, name)} {note}"}
    raise AssertionError(f"no text field on {entry!r}")


def follow(client, target: str, email: str):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/follow/", {"email": email, "target": target})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", text)


def deliver():
    """Run the worker until nothing is left: sending runs, then the outbox."""
    while run_worker():
        pass
