"""The service layer: one path for every writer (admin, commands, imports, API)."""

import pytest
from reversion.models import Version

from editorial import services
from editorial.models import Change, State
from tests.factories import add_source, make_incident, make_term, make_user

pytestmark = pytest.mark.django_db


def _retitle(title):
    def apply(entry):
        entry.term = title
        entry.save()

    return apply


def test_edit_of_a_draft_writes_the_row_and_records_a_revision():
    user = make_user()
    term = make_term(state=State.DRAFT, term="Old")
    change = services.edit(term, by=user, apply=_retitle("New"), summary="Rename")
    term.refresh_from_db()
    assert term.term == "New"
    assert change.status == Change.Status.EDITING
    revision = Version.objects.get_for_object(term).get().revision
    assert (revision.comment, revision.user) == ("Rename", user)


def test_edit_of_a_published_entry_becomes_a_pending_change():
    user = make_user()
    term = make_term(term="Live")
    change = services.edit(term, by=user, apply=_retitle("Pending"))
    term.refresh_from_db()
    assert term.term == "Live"
    assert change.is_pending and change.snapshot.meta.pending


def test_edit_that_changes_nothing_records_nothing():
    user = make_user()
    for state in (State.DRAFT, State.PUBLISHED):
        term = make_term(state=state, term=f"Same {state}")
        assert services.edit(term, by=user, apply=_retitle(term.term)) is None
        assert not Version.objects.get_for_object(term).exists()
        assert not Change.objects.for_entry(term).exists()


def test_second_pending_edit_builds_on_the_first():
    user = make_user()
    term = make_term(term="Live", summary="Live summary")

    def resummarise(entry):
        entry.summary = "Pending summary"
        entry.save()

    services.edit(term, by=user, apply=_retitle("Pending"))
    services.edit(term, by=user, apply=resummarise)
    services.submit(term, by=user)
    services.approve(term, by=make_user(role="Reviewer"))
    term.refresh_from_db()
    assert (term.term, term.summary) == ("Pending", "Pending summary")


def test_pending_change_of_relations_and_owned_rows_is_applied_together():
    user = make_user()
    incident = make_incident(narrative="See [1].")
    add_source(incident, title="Kept")
    related = make_term(term="Related")

    def rework(entry):
        entry.sources.all().delete()
        add_source(entry, title="Replacement")
        related.related_incidents.add(entry)  # not owned: must not be captured
        entry.title = "Reworked"
        entry.save()

    services.edit(incident, by=user, apply=rework)
    incident.refresh_from_db()
    assert [s.title for s in incident.sources.all()] == ["Kept"]
    assert related.related_incidents.count() == 0
    services.submit(incident, by=user)
    services.approve(incident, by=make_user(role="Reviewer"))
    incident.refresh_from_db()
    assert incident.title == "Reworked"
    assert [s.title for s in incident.sources.all()] == ["Replacement"]


def test_a_failure_inside_approval_leaves_the_published_version_live(monkeypatch):
    user = make_user()
    term = make_term(term="Live")
    services.edit(term, by=user, apply=_retitle("Pending"))
    services.submit(term, by=user)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.snapshots, "record_revision", broken)
    with pytest.raises(RuntimeError):
        services.approve(term, by=make_user(role="Reviewer"))
    term.refresh_from_db()
    assert term.term == "Live"
    assert Change.objects.get().status == Change.Status.IN_REVIEW
