"""History and audit: revisions on every write, compare, revert, recover, logs."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Revision, Version

from editorial import diffs, services
from editorial.models import AuditEvent, Change, State
from editorial.roles import AUTHOR, REVIEWER
from glossary.models import Term
from incidents.models import Incident
from tests.admin_forms import changeform_data
from tests.factories import add_source, make_incident, make_term, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_user("alice", role=AUTHOR)


@pytest.fixture
def reviewer():
    return make_user("rita", role=REVIEWER)


def _publish_through_review(entry, author, reviewer, apply, **kwargs):
    services.edit(entry, by=author, apply=apply, **kwargs)
    services.submit(entry, by=author)
    services.approve(entry, by=reviewer)
    entry.refresh_from_db()


def _set(**values):
    def apply(entry):
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()

    return apply


def test_admin_save_without_changes_records_nothing(client, author):
    term = make_term(state=State.DRAFT)
    services.save_draft(term, by=author)
    client.force_login(author)
    url = reverse("admin:glossary_term_change", args=[term.pk])
    assert client.post(url, changeform_data(client.get(url))).status_code == 302
    assert Version.objects.get_for_object(term).count() == 1
    assert AuditEvent.objects.count() == 1


def test_relation_change_is_in_the_same_revision(client, author):
    term, other = make_term(state=State.DRAFT), make_term(term="Jailbreak")
    services.save_draft(term, by=author, summary="Baseline")
    client.force_login(author)
    url = reverse("admin:glossary_term_change", args=[term.pk])
    data = changeform_data(client.get(url))
    data.update(related_terms=[str(other.pk)], change_summary="Link jailbreak")
    client.post(url, data)
    version = Version.objects.get_for_object(term).order_by("-pk").first()
    assert version.field_dict["related_terms"] == [other.pk]
    assert version.revision.comment == "Link jailbreak"
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.changed_fields) == ("edit", ["related_terms"])


def test_every_transition_is_audited_with_actor(author, reviewer):
    term = make_term(term="Original")
    _publish_through_review(term, author, reviewer, _set(term="Renamed"))
    services.confirm_reviewed(term, by=reviewer)
    services.archive(term, by=reviewer)
    actions = list(
        AuditEvent.objects.order_by("pk").values_list("action", "actor__username")
    )
    assert actions == [
        ("edit", "alice"),
        ("submit", "alice"),
        ("approve", "rita"),
        ("publish", "rita"),
        ("review", "rita"),
        ("archive", "rita"),
    ]
    publish = AuditEvent.objects.get(action="publish")
    assert publish.changed_fields == ["term"]
    assert publish.entry_repr == "Renamed"


def test_compare_shows_word_diff_and_relation_names():
    first, second = make_term(term="Deepfake"), make_term(term="Voice Cloning")
    old = {"definition": "A fake video of a person.", "related_terms": [str(first.pk)]}
    new = {
        "definition": "A synthetic video of a real person.",
        "related_terms": [str(second.pk)],
    }
    changes = {c.name: c for c in diffs.compare(Term, old, new)}
    assert str(changes["definition"].old) == "A <del>fake</del> video of a person."
    assert str(changes["definition"].new) == (
        "A <ins>synthetic</ins> video of a <ins>real </ins>person."
    )
    assert str(changes["related_terms"].old) == "<del>Deepfake</del>"
    assert str(changes["related_terms"].new) == "<ins>Voice Cloning</ins>"


def test_history_page_and_compare_view(client, author, reviewer):
    term = make_term(term="Prompt injection", definition="One.")
    for text in ("Two.", "Three."):
        _publish_through_review(term, author, reviewer, _set(definition=text))
    client.force_login(reviewer)
    history = client.get(reverse("admin:glossary_term_history", args=[term.pk]))
    html = history.content.decode()
    assert html.count('name="a"') == 4  # two pending + two published revisions
    versions = list(Version.objects.get_for_object(term).order_by("pk"))
    first_published = next(v for v in versions if v.revision.meta.published)
    compare = client.get(
        reverse("admin:glossary_term_compare", args=[term.pk]),
        {"a": first_published.pk, "b": "live"},
    ).content.decode()
    assert "<del>Two.</del>" in compare and "<ins>Three.</ins>" in compare
    assert "unchanged fields folded away" in compare
    filtered = client.get(
        reverse("admin:glossary_term_history", args=[term.pk]),
        {"user": author.pk},
    ).content.decode()
    assert filtered.count('name="a"') == 2


def test_revert_in_the_admin_creates_a_change_that_needs_review(
    client, author, reviewer
):
    term = make_term(definition="Good text.")
    services.publish(term, by=reviewer)
    good = Version.objects.get_for_object(term).get(revision__meta__published=True)
    _publish_through_review(term, author, reviewer, _set(definition="Vandalised."))
    client.force_login(author)
    url = reverse("admin:glossary_term_revision", args=[term.pk, good.pk])
    form = client.get(url)
    assert "Good text.</textarea>" in form.content.decode()
    term.refresh_from_db()
    assert term.definition == "Vandalised."  # opening the form writes nothing
    assert client.post(url, changeform_data(form)).status_code == 302
    term.refresh_from_db()
    assert term.definition == "Vandalised."  # readers keep the live text for now
    assert Change.objects.get().is_pending
    assert AuditEvent.objects.filter(action="revert", actor=author).exists()
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    term.refresh_from_db()
    assert term.definition == "Good text."


def test_revert_to_an_earlier_published_version(author, reviewer):
    term = make_term(definition="Good text.")
    services.publish(term, by=reviewer)  # the good text, published and recorded
    good = Revision.objects.get(meta__object_id=term.pk, meta__published=True)
    _publish_through_review(term, author, reviewer, _set(definition="Vandalised."))
    change = services.revert(term, good, by=author)
    term.refresh_from_db()
    assert term.definition == "Vandalised."  # readers keep the live text for now
    assert change.is_pending
    assert AuditEvent.objects.filter(action="revert").exists()
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    term.refresh_from_db()
    assert term.definition == "Good text."


def test_recover_deleted_incident_with_its_sources(client, reviewer):
    boss = make_user("boss", is_superuser=True)
    incident = make_incident(narrative="See [1] and [2].")
    add_source(incident, title="First")
    add_source(incident, title="Second")
    client.force_login(boss)
    client.post(
        reverse("admin:incidents_incident_delete", args=[incident.pk]), {"post": "yes"}
    )
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert AuditEvent.objects.filter(action="delete").exists()
    deleted = Version.objects.get_deleted(Incident).get()
    response = client.post(
        reverse("admin:incidents_incident_recover", args=[deleted.pk])
    )
    assert response.status_code == 302
    recovered = Incident.objects.get(pk=incident.pk)
    assert recovered.state == State.DRAFT
    assert [s.title for s in recovered.sources.all()] == ["First", "Second"]
    assert AuditEvent.objects.filter(action="recover").exists()
    client.logout()
    assert client.get(f"/incidents/{recovered.code}/").status_code == 404


def test_audit_log_filters_exports_csv_and_is_for_reviewers(client, author, reviewer):
    term = make_term(term="Sycophancy")
    _publish_through_review(term, author, reviewer, _set(summary="Better."))
    client.force_login(author)
    assert client.get("/admin/audit-log/").status_code == 403
    client.force_login(reviewer)
    page = client.get("/admin/audit-log/", {"actor": author.pk}).content.decode()
    assert "Submit for review" in page and "Approve" not in page.split("<tbody>")[1]
    csv = b"".join(
        client.get("/admin/audit-log/", {"action": "publish", "format": "csv"})
    ).decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("time,user,action")
    assert len(lines) == 2 and ",rita,publish,term," in lines[1]
    today = datetime.date.today().isoformat()
    dated = client.get("/admin/audit-log/", {"since": today, "until": today})
    assert dated.status_code == 200


def test_public_changelog_shows_only_published_changes(client, author, reviewer):
    term = make_term(term="Hallucination", definition="First.")
    services.publish(term, by=reviewer, comment="First publication")
    _publish_through_review(
        term, author, reviewer, _set(definition="Second."), summary="Clearer"
    )
    _publish_through_review(
        term, author, reviewer, _set(definition="Second!"), summary="Typo", minor=True
    )
    services.edit(term, by=author, apply=_set(definition="SECRET"), summary="Hidden")
    draft = make_term(term="Unreleased", state=State.DRAFT)
    services.save_draft(draft, by=author, summary="Draft summary")

    html = client.get("/changes/").content.decode()
    # Readers see public notes; the editors' summaries stay in the admin.
    assert "Updated the definition" in html and "First published" in html
    assert "Clearer" not in html and "First publication" not in html
    assert html.count("Updated the definition") == 1  # the minor one is hidden
    assert "Hidden" not in html and "Unreleased" not in html
    assert (
        client.get("/changes/?minor=1").content.decode().count("Updated the definition")
        == 2
    )
    feed = client.get("/changes/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "Updated the definition" in body and "SECRET" not in body
    assert "Hidden" not in body and "Clearer" not in body

    url = reverse(
        "editorial:entry_changes",
        kwargs={"label": "glossary.term", "object_id": term.pk},
    )
    versions = Version.objects.get_for_object(term).filter(
        revision__meta__published=True
    )
    first, second = versions.order_by("pk")[:2]
    page = client.get(url, {"a": first.pk, "b": second.pk}).content.decode()
    assert "<del>First.</del>" in page and "<ins>Second.</ins>" in page
    assert "SECRET" not in client.get(url).content.decode()
    pending = Change.objects.get(object_id=term.pk).snapshot
    pending_version = pending.version_set.get(object_id=str(term.pk))
    assert client.get(url, {"a": first.pk, "b": pending_version.pk}).status_code == 404

    services.archive(term, by=reviewer)
    assert "Hallucination" not in client.get("/changes/").content.decode()
    assert client.get(url).status_code == 404


def test_check_revisions_catches_an_unreadable_revision(author):
    term = make_term(state=State.DRAFT)
    services.save_draft(term, by=author)
    call_command("check_revisions")
    version = Version.objects.get_for_object(term).get()
    version.serialized_data = version.serialized_data.replace('"summary"', '"gone"')
    version.save()
    with pytest.raises(CommandError, match="1 of 1 stored versions are broken"):
        call_command("check_revisions")


def test_prune_keeps_live_latest_and_pending(author, reviewer):
    term = make_term(definition="v0")
    services.publish(term, by=reviewer)
    for n in range(1, 4):
        _publish_through_review(term, author, reviewer, _set(definition=f"v{n}"))
    services.edit(term, by=author, apply=_set(definition="pending"))
    pending = Change.objects.get().snapshot_id
    before = Revision.objects.filter(meta__object_id=term.pk).count()
    call_command("prune_revisions", keep=1)
    left = Revision.objects.filter(meta__object_id=term.pk)
    assert left.count() < before
    assert pending in set(left.values_list("pk", flat=True))
    live = left.filter(meta__published=True).get()
    assert live.version_set.get(object_id=str(term.pk)).field_dict["definition"] == "v3"


def test_old_revision_renders_like_its_page_without_writing(
    client, author, reviewer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = make_incident(title="First title", narrative="Cited [1].")
    add_source(incident, title="The first source")
    services.publish(incident, by=reviewer)
    first = Version.objects.get_for_object(incident).get()

    def rework(entry):
        entry.title = "Second title"
        entry.save()
        entry.sources.update(title="A replaced source")

    _publish_through_review(incident, author, reviewer, rework)
    client.force_login(reviewer)
    url = reverse(
        "admin:incidents_incident_view_revision", args=[incident.pk, first.pk]
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "First title" in html and "The first source" in html
    assert "Second title" not in html
    assert "read-only" in html and "no-store" in response["Cache-Control"]
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "SAVEPOINT"}
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    incident.refresh_from_db()
    assert incident.title == "Second title"


@pytest.mark.parametrize("kind", ["term", "pattern", "domain", "sector"])
def test_every_kind_of_entry_shows_its_old_revision(client, reviewer, kind):
    from tests.factories import make_domain, make_pattern, make_sector

    make = {
        "term": lambda: make_term(term="Old name of term"),
        "pattern": lambda: make_pattern(title="Old name of pattern"),
        "domain": lambda: make_domain(title="Old name of domain"),
        "sector": lambda: make_sector(name="Old name of sector"),
    }[kind]
    entry = make()
    services.publish(entry, by=reviewer)
    version = Version.objects.get_for_object(entry).get()
    opts = entry._meta
    client.force_login(reviewer)
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_view_revision",
        args=[entry.pk, version.pk],
    )
    response = client.get(url)
    assert response.status_code == 200
    assert f"Old name of {kind}" in response.content.decode()
