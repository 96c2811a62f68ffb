"""An entry is never last updated before it was first published.

The services stamp both dates; a publication dated in the past (imports with
--publish, the demo) was first published that day, and a later publication
dated before the first one cannot move "Last updated" before it.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from editorial import services
from editorial.models import State
from editorial.roles import REVIEWER
from glossary.models import Term
from incidents.models import Domain, Incident, ThreatPattern
from tests.exchange.test_export import build_knowledge_base, export, wipe
from tests.factories import make_term, make_user

pytestmark = pytest.mark.django_db


def first_day(entry) -> datetime.date:
    return timezone.localdate(entry.first_published)


@pytest.fixture
def reviewer():
    return make_user("rita", role=REVIEWER)


def test_a_backdated_first_publication_is_first_published_that_day(reviewer):
    term = make_term(state=State.DRAFT)
    services.publish(term, by=reviewer, on=datetime.date(2024, 3, 5))
    term.refresh_from_db()
    assert term.last_updated == datetime.date(2024, 3, 5)
    assert first_day(term) == datetime.date(2024, 3, 5)


def test_a_publication_today_is_first_published_now(reviewer):
    term = make_term(state=State.DRAFT)
    before = timezone.now()
    services.publish(term, by=reviewer)
    term.refresh_from_db()
    assert term.first_published >= before
    assert term.last_updated == timezone.localdate()


def test_last_updated_never_moves_before_the_first_publication(reviewer):
    term = make_term(state=State.DRAFT)
    services.publish(term, by=reviewer, on=datetime.date(2024, 3, 5))
    services.publish(term, by=reviewer, on=datetime.date(2023, 1, 1))
    term.refresh_from_db()
    assert first_day(term) == datetime.date(2024, 3, 5)
    assert term.last_updated == datetime.date(2024, 3, 5)


def test_the_review_path_keeps_the_order(reviewer):
    author = make_user("alice", role="Author")
    term = make_term(state=State.DRAFT)
    services.save_draft(term, by=author)
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    term.refresh_from_db()
    assert first_day(term) <= term.last_updated


def test_imports_with_publish_keep_first_published_before_last_updated(tmp_path):
    build_knowledge_base()
    document = export(tmp_path, "public.json")
    wipe()
    call_command(
        "import_entries", str(tmp_path / "public.json"), "--publish", stdout=StringIO()
    )
    imported = [
        *Domain.objects.all(),
        *ThreatPattern.objects.all(),
        *Incident.objects.all(),
        *Term.objects.all(),
    ]
    assert len(imported) >= 4
    for entry in imported:
        assert entry.is_published
        assert first_day(entry) <= entry.last_updated, entry
        assert first_day(entry) == entry.last_updated  # published on its own date
    assert document["incidents"][0]["last_updated"] < timezone.localdate().isoformat()
