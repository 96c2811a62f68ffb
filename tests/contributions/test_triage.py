"""Editors triage readers' submissions through the services and the admin."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from reversion.models import Version

from contributions import services
from contributions.models import Submission
from editorial import services as editorial
from editorial.models import AuditEvent, Change, State
from editorial.roles import AUTHOR, REVIEWER
from incidents.models import Incident
from tests.factories import (
    add_entity,
    add_source,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)
from tests.mailserver import run_worker

pytestmark = pytest.mark.django_db


def report(**overrides) -> tuple[Submission, str]:
    fields = {
        "kind": Submission.Kind.REPORT,
        "title": "A chatbot leaked addresses",
        "occurred": "2024-05",
        "description": "It answered with other people's data.\nMore detail.",
        "source_urls": "https://news.example.org/story\nhttps://other.example/b",
        "organisations": "Acme\nUnknown Org",
        "submitter_email": "reader@example.org",
        "contact_consent": True,
        **overrides,
    }
    return services.receive(**fields)


def actions(submission) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=submission.pk)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def test_author_drafts_an_incident_signed_by_them(django_capture_on_commit_callbacks):
    author = make_user("alice", role=AUTHOR)
    pattern = make_pattern()
    add_entity(make_incident(pattern), name="Acme")
    submission, token = report()
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.create_draft_incident(
            submission, by=author, primary_pattern=pattern, severity="high"
        )
    assert incident.state == State.DRAFT
    assert [s.url for s in incident.sources.all()] == submission.urls()
    assert [e.organisation.name for e in incident.entities.all()] == ["Acme"]
    assert incident.date_occurred == "2024-05" and incident.severity == "high"
    versions = Version.objects.get_for_object(incident)
    assert versions.count() == 1
    revision = versions.get().revision
    assert revision.user == author
    assert submission.reference in revision.comment
    assert "Unknown Org" in revision.comment
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.result == incident and submission.closed_at
    assert actions(submission) == ["create", "accept"]
    # The submitter hears once; the entry is not public yet, so no link.
    assert not mail.outbox  # the request only recorded it; the worker sends it
    run_worker()
    assert len(mail.outbox) == 1
    assert "usual review" in mail.outbox[0].body
    assert mail.outbox[0].to == ["reader@example.org"]


def test_draft_goes_through_review_and_status_links_once_published(client):
    author = make_user("alice", role=AUTHOR)
    reviewer = make_user("rita", role=REVIEWER)
    submission, token = report()
    incident = services.create_draft_incident(
        submission, by=author, primary_pattern=make_pattern()
    )
    status_url = f"/submit/status/{token}/"
    assert incident.get_absolute_url() not in client.get(status_url).content.decode()
    editorial.submit(incident, by=author)
    with pytest.raises(editorial.WorkflowError):
        editorial.approve(incident, by=author)  # publishing stays with reviewers
    editorial.approve(incident, by=reviewer)
    body = client.get(status_url).content.decode()
    assert f'href="{incident.get_absolute_url()}"' in body


def test_add_as_source_is_a_pending_change_of_a_published_incident():
    author = make_user("alice", role=AUTHOR)
    incident = make_incident()
    add_source(incident, url="https://news.example.org/story/")
    submission, _ = report()
    services.add_as_source(submission, by=author, incident=incident)
    assert incident.sources.count() == 1  # the live incident is unchanged
    change = Change.objects.for_entry(incident).get()
    assert change.is_pending and submission.reference in change.summary
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    with pytest.raises(services.TriageError):
        services.reject(submission, by=author, reason="late")


def test_duplicate_reject_spam_each_close_and_audit():
    author = make_user("alice", role=AUTHOR)
    incident = make_incident()
    one, _ = report()
    services.claim(one, by=author)
    services.mark_duplicate(one, by=author, incident=incident)
    two, _ = report(submitter_email="")
    with pytest.raises(services.TriageError):
        services.reject(two, by=author, reason="  ")
    services.reject(two, by=author, reason="Not about AI.")
    three, _ = report()
    services.mark_spam(three, by=author)
    for submission, status, action in (
        (one, "duplicate", "mark_duplicate"),
        (two, "rejected", "reject"),
        (three, "spam", "spam"),
    ):
        submission.refresh_from_db()
        assert submission.status == status and submission.closed_at
        assert actions(submission)[-1] == action
    assert actions(one) == ["create", "claim", "mark_duplicate"]
    assert two.outcome_note == "Not about AI."


def test_outcome_email_only_with_consent_and_only_once(
    django_capture_on_commit_callbacks,
):
    author = make_user("alice", role=AUTHOR)
    with django_capture_on_commit_callbacks(execute=True):
        no_consent, _ = report(contact_consent=False)
        services.reject(no_consent, by=author, reason="Out of scope.")
        spam, _ = report()
        services.mark_spam(spam, by=author)
        rejected, _ = report()
        services.reject(rejected, by=author, reason="Out of scope.")
    run_worker()
    assert len(mail.outbox) == 1
    assert "Out of scope." in mail.outbox[0].body


def test_status_page_shows_each_outcome(client):
    author = make_user("alice", role=AUTHOR)
    incident = make_incident()
    dup, dup_token = report()
    services.mark_duplicate(dup, by=author, incident=incident)
    body = client.get(f"/submit/status/{dup_token}/").content.decode()
    assert incident.get_absolute_url() in body
    rejected, token = report()
    services.reject(rejected, by=author, reason="No <b>source</b> at all.")
    body = client.get(f"/submit/status/{token}/").content.decode()
    assert "No &lt;b&gt;source&lt;/b&gt; at all." in body


def test_correction_opens_the_target_form_with_the_suggestion(client):
    author = make_user("alice", role=AUTHOR)
    term = make_term(term="Model Collapse")
    submission, _ = services.receive(
        kind=Submission.Kind.CORRECTION,
        target=term,
        description="The <script>definition</script> is wrong.",
        proposed_text="Better words.",
    )
    client.force_login(author)
    response = client.post(
        f"/admin/contributions/submission/{submission.pk}/triage/correct/"
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/admin/glossary/term/{term.pk}/change/?suggestion={submission.pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Better words." in page and "Reader's suggestion" in page
    assert "&lt;script&gt;definition&lt;/script&gt;" in page
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert actions(submission)[-1] == "accept"


def test_admin_triage_from_the_submission_page(client):
    author = make_user("alice", role=AUTHOR)
    pattern = make_pattern()
    existing = make_incident(pattern)
    add_source(existing, url="http://news.example.org/story?utm_source=feed")
    submission, _ = report()
    client.force_login(author)
    page = client.get(f"/admin/contributions/submission/{submission.pk}/change/")
    body = page.content.decode()
    assert existing.code in body and "cites the same source" in body
    response = client.post(
        f"/admin/contributions/submission/{submission.pk}/triage/draft/",
        {
            "draft-primary_pattern": pattern.pk,
            "draft-severity": "low",
            "draft-status": "alleged",
            "draft-evidence_level": "single-source",
            "draft-impact_level": "individual",
        },
    )
    incident = Incident.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == f"/admin/incidents/incident/{incident.pk}/change/"
    assert client.get(response["Location"]).status_code == 200


def test_queue_filters_and_bulk_reject(client):
    author = make_user("alice", role=AUTHOR)
    other = make_user("bob", role=AUTHOR)
    mine, _ = report(title="mine one")
    theirs, _ = report(title="theirs one")
    free, _ = report(title="free one")
    services.claim(mine, by=author)
    services.claim(theirs, by=other)
    client.force_login(author)
    url = "/admin/contributions/submission/"
    assert "mine one" in client.get(url + "?claimed=mine").content.decode()
    body = client.get(url + "?claimed=unassigned").content.decode()
    assert "free one" in body and "mine one" not in body
    client.post(
        url,
        {"action": "reject_selected", "_selected_action": [free.pk], "reason": ""},
    )
    free.refresh_from_db()
    assert free.status == Submission.Status.NEW  # a reason is required
    client.post(
        url,
        {
            "action": "reject_selected",
            "_selected_action": [free.pk, mine.pk],
            "reason": "Not an AI incident.",
        },
    )
    for submission in (free, mine):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.REJECTED
    client.post(url, {"action": "mark_spam_selected", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == Submission.Status.SPAM


def test_dashboard_counts_the_queue(client):
    author = make_user("alice", role=AUTHOR)
    one, _ = report()
    report()
    services.claim(one, by=author)
    client.force_login(author)
    body = client.get("/admin/").content.decode()
    assert "Reader submissions" in body
    assert 'Claimed by me</a> <span class="count">1</span>' in body
    assert 'Unassigned</a> <span class="count">1</span>' in body


def test_purge_deletes_personal_data_after_retention(settings):
    settings.SUBMISSION_RETENTION_DAYS = 30
    author = make_user("alice", role=AUTHOR)
    old, _ = report(submitter_name="Ada")
    services.reject(old, by=author, reason="No.")
    recent, _ = report(submitter_name="Bea")
    services.reject(recent, by=author, reason="No.")
    still_open, _ = report(submitter_name="Cy")
    Submission.objects.filter(pk=old.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=31)
    )
    from django.core.management import call_command

    call_command("purge_submissions")
    old.refresh_from_db(), recent.refresh_from_db(), still_open.refresh_from_db()
    assert (old.submitter_name, old.submitter_email) == ("", "")
    assert old.personal_data_deleted_at is not None
    assert recent.submitter_email == "reader@example.org"
    assert still_open.submitter_name == "Cy"
    assert old.title  # only personal data goes
