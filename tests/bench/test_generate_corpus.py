"""The corpus generator writes what the services would write (PostgreSQL only)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from reversion.models import Version

from bench.corpus import generate
from editorial import snapshots
from editorial.models import AuditEvent, RevisionMeta, State
from glossary.models import Term
from incidents.models import Incident, IncidentCodeCounter
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the generator uses COPY"
    ),
]


@pytest.fixture
def corpus():
    return generate(
        terms=4, incidents=12, revisions=3, heavy_revisions=9, seed=7, log=lambda _: 0
    )


def _revision_count(entry) -> int:
    return RevisionMeta.objects.filter(
        content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
    ).count()


def _latest_content(entry) -> set:
    revision = snapshots.latest_revision(entry)
    return {
        (v.content_type_id, v.object_id, v.serialized_data)
        for v in snapshots.revision_versions(revision)
    }


def _serialised_now(entry) -> set:
    return {
        (v.content_type_id, v.object_id, v.serialized_data)
        for v in snapshots.capture(entry)
    }


def test_generated_entries_are_published_with_public_dates(corpus):
    assert Incident.objects.count() == 12
    assert Term.objects.count() == 4
    for model in (Incident, Term):
        assert not model.objects.exclude(state=State.PUBLISHED).exists()
        assert not model.objects.filter(first_published=None).exists()
        assert not model.objects.filter(last_updated=None).exists()
        assert not model.objects.filter(search_vector=None).exists()


def test_each_entry_has_the_requested_revisions_and_one_term_has_many(corpus):
    counts = sorted(_revision_count(term) for term in Term.objects.all())
    assert counts == [3, 3, 3, 9]
    assert {_revision_count(incident) for incident in Incident.objects.all()} == {3}
    heavy = Term.objects.get(term=corpus.heavy_term)
    assert _revision_count(heavy) == 9
    assert AuditEvent.objects.filter(object_id=heavy.pk).count() >= 9


def test_latest_revision_is_exactly_what_reversion_would_record(corpus):
    for entry in [*Incident.objects.all()[:5], *Term.objects.all()]:
        assert _latest_content(entry) == _serialised_now(entry), entry


def test_incident_revisions_cover_its_sources_and_entities(corpus):
    incident = Incident.objects.first()
    revision = snapshots.latest_revision(incident)
    owned = incident.sources.count() + incident.entities.count()
    assert owned >= 3
    assert revision.version_set.count() == 1 + owned
    assert revision.meta.published and revision.meta.state == State.PUBLISHED


def test_codes_follow_the_year_and_the_counter_moves_on(corpus):
    for incident in Incident.objects.all():
        assert incident.code[4:6] == incident.date_occurred[2:4]
        counter = IncidentCodeCounter.objects.get(year=incident.occurred_year)
        assert counter.last_number >= int(incident.code[-4:])


def test_history_and_compare_pages_of_the_heavy_term_work(corpus, client):
    client.force_login(make_user("bench-admin", is_superuser=True))
    heavy = Term.objects.get(term=corpus.heavy_term)
    history = reverse("admin:glossary_term_history", args=[heavy.pk])
    assert client.get(history).status_code == 200
    oldest = Version.objects.get_for_object(heavy).order_by("pk").first()
    compare = reverse("admin:glossary_term_compare", args=[heavy.pk])
    response = client.get(compare, {"a": oldest.pk, "b": "live"})
    assert response.status_code == 200


def test_public_pages_of_generated_entries_render(corpus, client):
    term = Term.objects.first()
    incident = Incident.objects.first()
    assert client.get(term.get_absolute_url()).status_code == 200
    assert client.get(incident.get_absolute_url()).status_code == 200
