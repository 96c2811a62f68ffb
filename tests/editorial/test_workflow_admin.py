"""The life cycle walked through the admin, as authors and reviewers do it."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from editorial import services
from editorial.models import Change, State
from editorial.roles import ADMINISTRATOR, AUTHOR, REVIEWER
from glossary.models import Term
from incidents.models import Incident
from tests.admin_forms import changeform_data
from tests.factories import (
    add_source,
    make_category,
    make_incident,
    make_term,
    make_user,
)
from tests.mailserver import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    return make_user("alice", role=AUTHOR, email="alice@example.org")


@pytest.fixture
def reviewer():
    return make_user("rita", role=REVIEWER, email="rita@example.org")


def as_user(client, user):
    client.force_login(user)
    return client


def term_url(term, view="change"):
    return reverse(f"admin:glossary_term_{view}", args=[term.pk])


def workflow(client, entry, action, **data):
    opts = entry._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_workflow", args=[entry.pk, action]
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data, follow=True)
    run_worker()  # the mail is recorded by the request and sent by the worker
    return response


def edit(client, url, **changes):
    data = changeform_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def add_term(client, **fields):
    url = reverse("admin:glossary_term_add")
    data = changeform_data(client.get(url))
    data.update(fields)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    return Term.objects.get(slug=fields["slug"])


def test_term_life_cycle_through_the_admin(client, author, reviewer):
    category = make_category()
    as_user(client, author)
    term = add_term(
        client,
        term="Model Collapse",
        slug="model-collapse",
        category=str(category.pk),
        summary="Quality loss from training on generated data.",
        definition="First draft.",
        change_summary="First draft",
    )
    assert term.state == State.DRAFT
    assert client.get("/glossary/model-collapse/").status_code == 404
    workflow(client, term, "submit")
    term.refresh_from_db()
    assert term.state == State.IN_REVIEW
    assert [m.to for m in mail.outbox] == [["rita@example.org"]]

    as_user(client, reviewer)
    assert "Model Collapse" in client.get(reverse("admin:index")).content.decode()
    workflow(client, term, "request-changes", comment="Add an example.")
    term.refresh_from_db()
    assert term.state == State.DRAFT
    assert Change.objects.get().review_comment == "Add an example."
    assert mail.outbox[-1].to == ["alice@example.org"]

    as_user(client, author)
    page = client.get(term_url(term)).content.decode()
    assert "Add an example." in page
    edit(client, term_url(term), definition="Second draft, with an example.")
    workflow(client, term, "submit")

    as_user(client, reviewer)
    workflow(client, term, "approve")
    term.refresh_from_db()
    assert term.state == State.PUBLISHED
    assert term.last_updated == timezone.localdate()
    assert not Change.objects.exists()
    client.logout()
    html = client.get("/glossary/model-collapse/").content.decode()
    assert "Second draft, with an example." in html
    assert f'Last updated: <time datetime="{timezone.localdate():%Y-%m-%d}">' in html


def test_pending_change_stays_invisible_until_approved(client, author, reviewer):
    old_day = datetime.date(2025, 1, 2)
    term = make_term(
        term="Deepfake",
        slug="deepfake",
        summary="Published summary.",
        definition="Published definition.",
        last_updated=old_day,
    )
    other = make_term(term="Voice Cloning")
    as_user(client, author)
    response = edit(
        client,
        term_url(term),
        definition="PENDING definition.",
        summary="PENDING summary.",
        related_terms=[str(other.pk)],
        change_summary="Sharper wording",
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.definition == "Published definition."
    assert term.related_terms.count() == 0
    change = Change.objects.get()
    assert change.is_pending and change.summary == "Sharper wording"

    # The editor sees the pending text; readers see the published text everywhere.
    assert "PENDING definition." in client.get(term_url(term)).content.decode()
    client.logout()
    for url in ("/", "/glossary/", "/glossary/deepfake/", "/glossary/voice-cloning/"):
        assert "PENDING" not in client.get(url).content.decode(), url

    as_user(client, author)
    workflow(client, term, "submit")
    assert (
        "Published; a change is waiting for review"
        in client.get(reverse("admin:glossary_term_changelist")).content.decode()
    )
    as_user(client, reviewer)
    diff = client.get(term_url(term)).content.decode()
    assert "<ins>PENDING</ins>" in diff and "Voice Cloning" in diff
    workflow(client, term, "approve")
    term.refresh_from_db()
    assert term.definition == "PENDING definition."
    assert list(term.related_terms.all()) == [other]
    assert term.last_updated == timezone.localdate()
    client.logout()
    assert "PENDING definition." in client.get("/glossary/deepfake/").content.decode()


def test_minor_change_keeps_last_updated(client, author, reviewer):
    old_day = datetime.date(2025, 1, 2)
    term = make_term(definition="Teh typo.", last_updated=old_day)
    as_user(client, author)
    edit(client, term_url(term), definition="The typo.", minor="on")
    workflow(client, term, "submit")
    as_user(client, reviewer)
    workflow(client, term, "approve")
    term.refresh_from_db()
    assert term.definition == "The typo."
    assert term.last_updated == old_day


def test_nobody_approves_their_own_change(client, reviewer):
    boss = make_user("boss", role=ADMINISTRATOR, is_superuser=True)
    term = make_term(definition="Old.")
    for user in (reviewer, boss):
        as_user(client, user)
        edit(client, term_url(term), definition=f"Edited by {user}.")
        workflow(client, term, "submit")
        response = workflow(client, term, "approve")
        assert "four-eyes" in response.content.decode()
        term.refresh_from_db()
        assert term.definition == "Old."
        Change.objects.all().delete()


def test_authors_cannot_review(client, author):
    writer = make_user("bob", role=AUTHOR)
    term = make_term(definition="Old.")
    as_user(client, writer)
    edit(client, term_url(term), definition="New.")
    workflow(client, term, "submit")
    as_user(client, author)
    for action in ("approve", "request-changes", "unpublish", "archive"):
        response = workflow(client, term, action, comment="no")
        assert "Only reviewers and administrators" in response.content.decode()
    term.refresh_from_db()
    assert (term.definition, term.state) == ("Old.", State.PUBLISHED)
    assert Change.objects.get().status == Change.Status.IN_REVIEW


def test_stale_second_save_is_refused_and_keeps_input(client, author, reviewer):
    term = make_term(definition="Original.", state=State.DRAFT)
    services.save_draft(term, by=author)
    as_user(client, author)
    stale_form = changeform_data(client.get(term_url(term)))
    as_user(client, reviewer)
    edit(client, term_url(term), definition="Reviewer's wording.")
    as_user(client, author)
    stale_form["definition"] = "Author's wording."
    response = client.post(term_url(term), stale_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "rita saved this entry" in html
    assert "theirs “Reviewer&#x27;s wording.”" in html
    assert "yours “Author&#x27;s wording.”" in html
    assert "Author&#x27;s wording.</textarea>" in html
    term.refresh_from_db()
    assert term.definition == "Reviewer's wording."
    # Saving again, having seen the conflict, is a deliberate overwrite.
    again = changeform_data(response)
    assert client.post(term_url(term), again).status_code == 302
    term.refresh_from_db()
    assert term.definition == "Author's wording."


def test_stale_save_of_a_published_entry_is_refused(client, author, reviewer):
    term = make_term(definition="Original.")
    as_user(client, author)
    stale_form = changeform_data(client.get(term_url(term)))
    as_user(client, reviewer)
    edit(client, term_url(term), definition="Reviewer's pending wording.")
    as_user(client, author)
    stale_form["definition"] = "Author's wording."
    response = client.post(term_url(term), stale_form)
    assert response.status_code == 200
    assert "rita saved this entry" in response.content.decode()
    pending = Change.objects.get()
    assert pending.editors.get() == reviewer


def test_scheduled_publishing(client, author, reviewer):
    term = make_term(state=State.DRAFT, last_updated=None, first_published=None)
    services.save_draft(term, by=author)
    as_user(client, author)
    edit(client, term_url(term), definition="Goes live later.")
    workflow(client, term, "submit")
    as_user(client, reviewer)
    go_live = timezone.localtime() + datetime.timedelta(hours=2)
    expire = go_live + datetime.timedelta(days=1)
    workflow(
        client,
        term,
        "approve",
        go_live_at=go_live.strftime("%Y-%m-%dT%H:%M"),
        expire_at=expire.strftime("%Y-%m-%dT%H:%M"),
    )
    assert Change.objects.get().status == Change.Status.SCHEDULED
    call_command("publish_scheduled")
    term.refresh_from_db()
    assert term.state != State.PUBLISHED

    assert services.publish_scheduled(now=go_live + datetime.timedelta(minutes=1)) == (
        1,
        0,
    )
    term.refresh_from_db()
    assert term.state == State.PUBLISHED and term.definition == "Goes live later."
    assert services.publish_scheduled(now=go_live + datetime.timedelta(minutes=2)) == (
        0,
        0,
    )
    assert services.publish_scheduled(now=expire + datetime.timedelta(minutes=1)) == (
        0,
        1,
    )
    term.refresh_from_db()
    assert term.state == State.DRAFT


def test_preview_shows_pending_content_marked_and_uncached(client, author):
    term = make_term(slug="jailbreak", definition="Live text.")
    as_user(client, author)
    edit(client, term_url(term), definition="Pending text.")
    response = client.get(term_url(term, "preview"))
    html = response.content.decode()
    assert "Pending text." in html and "Preview." in html
    assert "no-store" in response["Cache-Control"]
    term.refresh_from_db()
    assert term.definition == "Live text."
    client.logout()
    assert client.get(term_url(term, "preview")).status_code == 302  # to login
    assert "Live text." in client.get("/glossary/jailbreak/").content.decode()


def test_incident_pending_change_with_sources(client, author, reviewer):
    incident = make_incident(narrative="Cited [1].", title="Live title")
    add_source(incident, title="Live source")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    as_user(client, author)
    data = changeform_data(client.get(url))
    data.update(
        {
            "title": "Pending title",
            "narrative": "Cited [1] and [2].",
            "sources-TOTAL_FORMS": "2",
            "sources-1-position": "2",
            "sources-1-title": "Pending source",
            "sources-1-source_type": "legal",
            "sources-1-url": "https://example.org/ruling",
        }
    )
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Live title"
    assert list(incident.sources.values_list("title", flat=True)) == ["Live source"]
    client.logout()
    assert "Pending" not in client.get(incident.get_absolute_url()).content.decode()

    as_user(client, author)
    form = client.get(url).content.decode()
    assert "Pending source" in form and "Pending title" in form
    workflow(client, incident, "submit")
    as_user(client, reviewer)
    workflow(client, incident, "approve")
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.title == "Pending title"
    assert list(incident.sources.values_list("title", flat=True)) == [
        "Live source",
        "Pending source",
    ]


def test_confirm_reviewed_stamps_only_last_reviewed(client, reviewer):
    term = make_term(last_updated=datetime.date(2025, 5, 5))
    as_user(client, reviewer)
    workflow(client, term, "confirm-reviewed")
    term.refresh_from_db()
    assert term.last_reviewed == timezone.localdate()
    assert term.last_updated == datetime.date(2025, 5, 5)
    client.logout()
    html = client.get(term.get_absolute_url()).content.decode()
    assert f'Last reviewed: <time datetime="{timezone.localdate():%Y-%m-%d}">' in html


def test_unpublish_and_archive_hide_the_entry(client, reviewer):
    term, other = make_term(slug="one"), make_term(slug="two")
    as_user(client, reviewer)
    workflow(client, term, "unpublish")
    workflow(client, other, "archive")
    client.logout()
    assert client.get("/glossary/one/").status_code == 404
    assert client.get("/glossary/two/").status_code == 404


def test_changelist_filters_by_open_change(client, author):
    pending = make_term(term="Has pending")
    make_term(term="Untouched")
    as_user(client, author)
    edit(client, term_url(pending), definition="New text.")
    url = reverse("admin:glossary_term_changelist")
    html = client.get(url, {"change": "pending"}).content.decode()
    assert "Has pending" in html and "Untouched" not in html
    html = client.get(url, {"change": "none"}).content.decode()
    assert "Untouched" in html and "Has pending" not in html


def test_authors_do_not_see_other_authors_drafts(client, author):
    other = make_user("bob", role=AUTHOR)
    mine = make_term(term="Mine", state=State.DRAFT)
    theirs = make_term(term="Theirs", state=State.DRAFT)
    services.save_draft(mine, by=author)
    services.save_draft(theirs, by=other)
    as_user(client, author)
    listing = client.get(reverse("admin:glossary_term_changelist")).content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(term_url(theirs)).status_code == 302  # "doesn't exist" redirect
    as_user(client, make_user("rita2", role=REVIEWER))
    listing = client.get(reverse("admin:glossary_term_changelist")).content.decode()
    assert "Mine" in listing and "Theirs" in listing
