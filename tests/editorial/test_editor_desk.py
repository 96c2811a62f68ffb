"""The editor's desk in the admin: what the change form offers and says."""

import pytest
from django.test import TestCase
from django.urls import reverse

from editorial import services
from editorial.models import State
from editorial.roles import AUTHOR, REVIEWER
from tests.admin_forms import changeform_data
from tests.factories import make_category, make_term, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_user("alice", role=AUTHOR, email="alice@example.org")


@pytest.fixture
def reviewer():
    return make_user("rita", role=REVIEWER, email="rita@example.org")


def term_url(term, view="change"):
    return reverse(f"admin:glossary_term_{view}", args=[term.pk])


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def workflow(client, entry, action, **data):
    url = reverse("admin:glossary_term_workflow", args=[entry.pk, action])
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data, follow=True)


def offered(client, user, entry) -> list[str]:
    client.force_login(user)
    response = client.get(term_url(entry))
    return response.context["editorial_actions"]


def draft_by(author, **fields):
    term = make_term(state=State.DRAFT, **fields)
    services.save_draft(term, by=author, summary="First draft")
    return term


# 2. "View on site" only when there is a public page.


def test_view_on_site_only_for_published_entries(client, reviewer, author):
    draft = draft_by(author, term="Never Public")
    html = page(client, reviewer, term_url(draft))
    assert "viewsitelink" not in html
    published = make_term(term="Public One")
    html = page(client, reviewer, term_url(published))
    assert "viewsitelink" in html


# 3. The state said once, and only the actions the user may take.


def test_state_is_said_once_in_plain_words(client, author, reviewer):
    draft = draft_by(author, term="Fresh Draft")
    html = page(client, author, term_url(draft))
    assert "Draft: not submitted for review yet. Never published." in html
    assert "Draft Draft" not in " ".join(html.split())

    published = make_term(term="Live Term", summary="Live.")
    client.force_login(author)
    data = changeform_data(client.get(term_url(published)))
    data.update(summary="Pending.", change_summary="Sharper")
    assert client.post(term_url(published), data).status_code == 302
    html = " ".join(page(client, author, term_url(published)).split())
    assert (
        "Published; a change is being drafted, not yet submitted. Readers see the "
        "published version until a reviewer approves it." in html
    )
    panel = html[html.index("workflow-panel") : html.index("workflow-actions")]
    assert panel.count("Draft") == 0


def test_after_sending_back_the_reviewer_is_not_offered_submit(
    client, author, reviewer
):
    term = draft_by(author, term="Sent Back")
    assert "submit" in offered(client, author, term)
    assert "submit" not in offered(client, reviewer, term)
    services.submit(term, by=author)
    assert offered(client, author, term) == []
    assert offered(client, reviewer, term) == ["approve", "request-changes", "archive"]

    workflow(client, term, "request-changes", comment="Add an example.")
    assert offered(client, reviewer, term) == ["archive"]
    assert offered(client, author, term) == ["submit"]
    html = page(client, reviewer, term_url(term))
    assert "Submit for review" not in html


def test_the_service_refuses_a_submit_by_someone_who_did_not_work_on_it(
    author, reviewer
):
    term = draft_by(author, term="Not Yours")
    with pytest.raises(services.WorkflowError):
        services.submit(term, by=reviewer)
    services.submit(term, by=author)


def test_an_unsigned_change_may_be_submitted_by_any_editor(author):
    term = make_term(state=State.DRAFT, term="Imported", category=make_category())
    services.save_draft(term, by=None, summary="Imported")
    assert services.allowed_actions(term, author, services.open_change(term)) == [
        "submit"
    ]


# 4. The forms: revert, save and submit, the slug's help text.


def test_revert_form_offers_no_save_and_add_another(client, author):
    term = draft_by(author, term="Reverted")
    version = services_version(term)
    html = page(client, author, term_url(term, "history") + f"{version.pk}/")
    assert "Revert" in html
    assert 'name="_addanother"' not in html
    assert 'name="_submit"' in html


def services_version(term):
    from reversion.models import Version

    return Version.objects.get_for_object(term).first()


def test_add_form_saves_and_submits_in_one_step(client, author):
    from glossary.models import Term

    category = make_category()
    client.force_login(author)
    url = reverse("admin:glossary_term_add")
    html = client.get(url).content.decode()
    assert 'value="Save and submit for review"' in html
    assert "Used in /glossary/&lt;slug&gt;/." in html
    data = changeform_data(client.get(url))
    data.update(
        term="Reward Hacking",
        slug="reward-hacking",
        category=str(category.pk),
        summary="Games the measure.",
        definition="A shortcut that scores.",
        _submit="Save and submit for review",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    term = Term.objects.get(slug="reward-hacking")
    assert response.status_code == 302
    assert response["Location"] == term_url(term)
    assert term.state == State.IN_REVIEW
    assert services.open_change(term).status == "in_review"


def test_a_pending_change_is_saved_and_submitted_in_one_step(client, author):
    term = make_term(term="Live", summary="Live.")
    client.force_login(author)
    data = changeform_data(client.get(term_url(term)))
    data.update(summary="Sharper.", _submit="Save and submit for review")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(term_url(term), data).status_code == 302
    change = services.open_change(term)
    assert change.is_pending and change.status == "in_review"


# 5. Internal save notes stay internal; readers get a public note.


def changelog_rows(client) -> str:
    client.logout()
    return " ".join(client.get("/changes/").content.decode().split())


def versions_page(client, term) -> str:
    url = reverse(
        "editorial:entry_changes",
        kwargs={"label": "glossary.term", "object_id": term.pk},
    )
    return " ".join(client.get(url).content.decode().split())


def test_first_publication_shows_a_public_note_not_the_save_note(
    client, author, reviewer
):
    term = draft_by(author, term="Voice Cloning", definition="Copies a voice.")
    services.save_draft(term, by=author, summary="Linked Deepfake")
    services.submit(term, by=author)
    html = page(client, reviewer, term_url(term))
    assert 'name="public_note"' in html and 'value="First published"' in html
    workflow(client, term, "approve", public_note="")
    for text in (changelog_rows(client), versions_page(client, term)):
        assert "First published" in text
        assert "Linked Deepfake" not in text and "First draft" not in text
    feed = client.get("/changes/feed/").content.decode()
    assert "First published" in feed and "Linked Deepfake" not in feed


def test_a_later_change_gets_its_fields_in_words_or_the_reviewers_note(
    client, author, reviewer
):
    term = make_term(term="Deepfake", definition="Old.", summary="Old.")

    def apply(live):
        live.definition = "New."
        live.save()

    services.edit(term, by=author, apply=apply, summary="Tidied my wording")
    services.submit(term, by=author)
    assert "Updated the definition" in page(client, reviewer, term_url(term))
    workflow(client, term, "approve", public_note="")
    assert "Updated the definition" in changelog_rows(client)
    assert "Tidied my wording" not in changelog_rows(client)

    def apply_again(live):
        live.summary = "Newer."
        live.save()

    services.edit(term, by=author, apply=apply_again, summary="Internal")
    services.submit(term, by=author)
    client.force_login(reviewer)
    workflow(client, term, "approve", public_note="Clarified the summary")
    text = versions_page(client, term)
    assert "Clarified the summary" in text and "Internal" not in text


def test_the_data_migration_gives_stored_publications_public_notes(author, reviewer):
    import importlib

    from django.apps import apps

    from editorial.models import AuditEvent, RevisionMeta

    migration = importlib.import_module(
        "editorial.migrations.0008_public_notes_for_published_revisions"
    )
    term = draft_by(author, term="Old Entry", definition="One.")
    services.submit(term, by=author)
    services.approve(term, by=reviewer)

    def apply(live):
        live.definition = "Two."
        live.save()

    services.edit(term, by=author, apply=apply, summary="Linked Deepfake")
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    RevisionMeta.objects.update(public_note="")
    AuditEvent.objects.filter(action="publish").update(changed_fields=["summary"])
    migration.forwards(apps, None)
    notes = list(
        RevisionMeta.objects.filter(published=True, object_id=term.pk)
        .order_by("pk")
        .values_list("public_note", flat=True)
    )
    assert notes == ["First published", "Updated the definition"]
    first_publish = AuditEvent.objects.filter(action="publish", object_id=term.pk)
    assert first_publish.order_by("pk").first().changed_fields == []


# 6. The history shows the review steps beside the revisions.


def history_rows(client, user, term) -> list[str]:
    client.force_login(user)
    response = client.get(term_url(term, "history"))
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [" ".join(row.split()) for row in body.split("<tr")[2:]]


def test_history_shows_the_review_steps_in_order(client, author, reviewer):
    import datetime

    from django.utils import timezone

    term = draft_by(author, term="Prompt Injection")
    services.submit(term, by=author)
    services.request_changes(term, by=reviewer, comment="Cite a real case.")
    services.save_draft(term, by=author, summary="Added the case")
    services.submit(term, by=author)
    services.approve(
        term, by=reviewer, go_live_at=timezone.now() + datetime.timedelta(hours=1)
    )
    services.publish_scheduled(
        now=timezone.now() + datetime.timedelta(hours=2), log=lambda _: None
    )
    rows = history_rows(client, reviewer, term)
    labels = [
        next(
            (
                label
                for label in (
                    "Resubmitted for review",
                    "Submitted for review",
                    "Changes requested",
                    "Approved and scheduled",
                    "Added the case",
                    "First draft",
                    "Published",
                )
                if label in row
            ),
            row,
        )
        for row in rows
    ]
    assert labels == [
        "Published",
        "Approved and scheduled",
        "Resubmitted for review",
        "Added the case",
        "Changes requested",
        "Submitted for review",
        "First draft",
    ]
    assert "Cite a real case." in rows[4]
    # The reviewer's publish row does not repeat the author's summary.
    assert "Added the case" not in rows[0] and "rita" in rows[0]


# 7. The audit log: links, compact rows, first publications, recent actions.


def test_audit_log_links_each_row_to_the_entry_and_its_history(
    client, author, reviewer
):
    from editorial.models import AuditEvent

    term = draft_by(author, term="Linked Term")
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    html = page(client, reviewer, "/admin/audit-log/")
    assert f'href="{term_url(term)}"' in html
    assert f'href="{term_url(term, "history")}"' in html
    publish = AuditEvent.objects.get(action="publish", object_id=term.pk)
    assert publish.changed_fields == []  # a first publication changes nothing


def test_admin_index_lists_my_own_recent_editorial_actions(client, author, reviewer):
    term = draft_by(author, term="Mine")
    other = draft_by(reviewer, term="Theirs")
    html = page(client, author, "/admin/")
    sidebar = html[html.index('id="recent-actions-module"') :]
    assert "My recent actions" in sidebar and "None available" not in html
    assert f'href="{term_url(term)}"' in sidebar
    assert term_url(other) not in sidebar


# 8. The live markdown preview: the site's renderer, sanitiser and links.

PREVIEW = "/admin/markdown-preview/"


def test_preview_renders_like_the_public_page_with_term_links(client, author):
    make_term(term="Large Language Model", slug="large-language-model")
    client.force_login(author)
    response = client.post(
        PREVIEW,
        {
            "text": "Built on a **large language model**.\n\n<script>x</script>",
            "kind": "markdown",
            "model": "glossary.term",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.json()["html"]
    assert "<strong>" in html and "<script" not in html
    assert 'href="/glossary/large-language-model/"' in html
    lines = client.post(
        PREVIEW, {"text": "- one\n- *two*", "kind": "lines", "model": ""}
    ).json()["html"]
    assert lines == "<ul><li>one</li><li><em>two</em></li></ul>"
    cited = client.post(
        PREVIEW,
        {"text": "Seen [1].", "kind": "footnotes", "model": "incidents.incident"},
    ).json()["html"]
    assert 'href="#source-1"' in cited


def test_preview_refuses_readers_and_bad_input(client, author):
    assert client.post(PREVIEW, {"text": "x"}).status_code == 302  # to the login
    client.force_login(author)
    assert client.get(PREVIEW).status_code == 405
    bad = client.post(PREVIEW, {"text": "x", "kind": "nope"})
    assert bad.status_code == 400 and "kind" in bad.json()["error"]
    long = client.post(PREVIEW, {"text": "x" * 100_001})
    assert long.status_code == 400


def test_every_markdown_field_is_marked_for_the_preview(client, author):
    term = make_term(term="Marked")
    html = page(client, author, term_url(term))
    for name, kind in (
        ("definition", "markdown"),
        ("relation_to_threats", "markdown"),
        ("why_it_occurs", "lines"),
        ("real_world_context", "markdown"),
    ):
        assert (
            f'data-markdown-preview="{kind}"' in html.split(f'id="id_{name}"')[0][-400:]
        )


# 9. The change form's queries: pinned, whatever the number of rows it shows.


def _form_queries(client, user, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("entities", [1, 4])
def test_incident_change_form_query_count_is_fixed(client, reviewer, entities):
    from tests.factories import add_entity, add_source, make_incident

    incident = make_incident()
    for n in range(entities):
        add_source(incident, url=f"https://example.org/{n}")
        add_entity(incident, name=f"Org {n}")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    # One query per entity row: the organisation picker reads its one choice.
    # Two for the similar-incident pins and hides (their pickers).
    assert _form_queries(client, reviewer, url) == 22 + entities


@pytest.mark.parametrize("related", [1, 4])
def test_term_change_form_query_count_is_fixed(client, reviewer, related):
    term = make_term(term="Counted")
    term.related_terms.set(make_term() for _ in range(related))
    assert _form_queries(client, reviewer, term_url(term)) == 14


def test_pending_change_form_names_owned_rows_without_a_query_each(
    client, author, reviewer
):
    from tests.factories import add_entity, make_incident

    counts = []
    for entities in (1, 4):
        incident = make_incident()
        for n in range(entities):
            add_entity(incident, name=f"Org {entities}-{n}")

        def apply(live):
            live.summary = "Pending."
            live.save()

        services.edit(incident, by=author, apply=apply, summary="Pending")
        url = reverse("admin:incidents_incident_change", args=[incident.pk])
        counts.append(_form_queries(client, reviewer, url))
    # Applying the pending content rewrites each entity row and its picker reads
    # its organisation; naming the rows for the comparison costs no query. The
    # similar-incident pins and hides add a fixed seven (read, compared, picked).
    assert counts == [67, 82]


def test_pickers_name_their_selected_rows_without_a_query_each(client, reviewer):
    import re

    from tests.factories import make_incident, make_sector

    bare, tagged = make_incident(), make_incident()
    sectors = [make_sector(name=f"Sector {n}") for n in range(3)]
    tagged.sectors.set(sectors)
    tagged.secondary_patterns.set([bare.primary_pattern])
    counts = [
        _form_queries(
            client, reviewer, reverse("admin:incidents_incident_change", args=[e.pk])
        )
        for e in (bare, tagged)
    ]
    assert counts[0] == counts[1], counts
    url = reverse("admin:incidents_incident_change", args=[tagged.pk])
    html = client.get(url).content.decode()
    select = re.search(r'<select name="sectors"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.findall(r'<option value="(\d+)" selected>([^<]*)', select[1])
    assert sorted(chosen) == sorted((str(s.pk), s.name) for s in sectors)
    # A form shown again with errors names them the stock way.
    data = changeform_data(client.get(url))
    data["title"] = ""
    again = client.post(url, data).content.decode()
    select = re.search(r'<select name="sectors"[^>]*>(.*?)</select>', again, re.S)
    assert len(re.findall(r"selected>", select[1])) == 3
