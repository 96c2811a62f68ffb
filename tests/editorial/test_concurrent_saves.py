"""Two editors save the same entry at the same moment, each on their own
PostgreSQL connection: one save wins, the other is refused as a conflict, and
neither edit is lost."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from editorial import forms as editorial_forms
from editorial import services
from editorial.models import Change, State
from editorial.roles import AUTHOR, REVIEWER
from glossary.models import Term
from tests.admin_forms import changeform_data
from tests.factories import make_term, make_user

pytestmark = pytest.mark.django_db(transaction=True)

CONFLICT = "saved this entry"


class Rendezvous:
    """Hold each save just after its version check until the other save has
    checked too, or is waiting for a lock: without a lock both checks pass
    together, as they would with unlucky timing."""

    def __init__(self, parties: int):
        self.parties = parties
        self.pids: dict[str, int] = {}
        self.checked: set[str] = set()
        self.lock = threading.Lock()

    def register(self) -> None:
        connection.ensure_connection()
        with self.lock:
            self.pids[threading.current_thread().name] = (
                connection.connection.info.backend_pid
            )

    def _blocked(self, pid: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
            return cursor.fetchone()[0]

    def wait_for_the_others(self) -> None:
        me = threading.current_thread().name
        with self.lock:
            self.checked.add(me)
        for _ in range(2000):  # a safety net only: the loop ends on a state
            with self.lock:
                others = {n: p for n, p in self.pids.items() if n != me}
                checked = set(self.checked)
            if len(others) == self.parties - 1 and all(
                name in checked or self._blocked(pid) for name, pid in others.items()
            ):
                return
            time.sleep(0.005)


@pytest.fixture
def rendezvous(monkeypatch):
    meeting = Rendezvous(2)
    original = editorial_forms.EditorialForm.clean

    def clean(self):
        cleaned = original(self)
        if self.instance.pk:
            meeting.wait_for_the_others()
        return cleaned

    monkeypatch.setattr(editorial_forms.EditorialForm, "clean", clean)
    return meeting


def _save_at_once(entry, editors, wordings, rendezvous):
    url = reverse("admin:glossary_term_change", args=[entry.pk])
    forms = []
    clients = []
    for editor, wording in zip(editors, wordings, strict=True):
        client = Client()
        client.force_login(editor)
        data = changeform_data(client.get(url))
        data["definition"] = wording
        forms.append(data)
        clients.append(client)
    start = threading.Barrier(len(editors))

    def save(n):
        rendezvous.register()
        start.wait(timeout=30)
        try:
            response = clients[n].post(url, forms[n])
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(editors)) as pool:
        return list(pool.map(save, range(len(editors))))


def _outcome(results, wordings):
    saved = [
        w for (status, _), w in zip(results, wordings, strict=True) if status == 302
    ]
    refused = [
        (w, html)
        for (status, html), w in zip(results, wordings, strict=True)
        if status == 200
    ]
    return saved, refused


def test_simultaneous_saves_of_a_draft_refuse_the_second(rendezvous):
    author = make_user("alice", role=AUTHOR)
    reviewer = make_user("rita", role=REVIEWER)
    term = make_term(definition="Original.", state=State.DRAFT)
    services.save_draft(term, by=author)
    version = Term.objects.get(pk=term.pk).version
    wordings = ["Alice's wording.", "Rita's wording."]

    results = _save_at_once(term, [author, reviewer], wordings, rendezvous)

    saved, refused = _outcome(results, wordings)
    assert len(saved) == 1, [status for status, _ in results]
    assert len(refused) == 1
    lost_wording, html = refused[0]
    assert CONFLICT in html
    # The refused editor's text is kept in the form for them to look at again.
    assert lost_wording.replace("'", "&#x27;") + "</textarea>" in html
    term.refresh_from_db()
    assert term.definition == saved[0]
    assert term.version == version + 1


def test_simultaneous_saves_of_a_published_entry_refuse_the_second(rendezvous):
    author = make_user("alice", role=AUTHOR)
    reviewer = make_user("rita", role=REVIEWER)
    term = make_term(definition="Original.")
    version = Term.objects.get(pk=term.pk).version
    wordings = ["Alice's pending wording.", "Rita's pending wording."]

    results = _save_at_once(term, [author, reviewer], wordings, rendezvous)

    saved, refused = _outcome(results, wordings)
    assert len(saved) == 1, [status for status, _ in results]
    assert len(refused) == 1
    assert CONFLICT in refused[0][1]
    term.refresh_from_db()
    assert term.definition == "Original."  # readers keep the published text
    assert term.version == version + 1
    change = Change.objects.get()
    assert change.editors.count() == 1
    held = "".join(v.serialized_data for v in change.snapshot.version_set.all())
    assert saved[0] in held
