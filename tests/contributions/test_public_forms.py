"""Readers report incidents and suggest corrections; bad input comes back kept."""

import pytest
from django.urls import reverse

from contributions.models import Submission
from editorial.models import AuditEvent
from tests.factories import add_entity, add_source, make_incident, make_term

pytestmark = pytest.mark.django_db

GOOD = {
    "source_urls": "https://news.example.org/story",
    "title": "A chatbot gave out customers' addresses",
    "occurred": "2024-05",
    "description": "It answered with other people's data.",
    "organisations": "Acme",
}


def post(client, data, url="/submit/"):
    return client.post(url, data, REMOTE_ADDR="198.51.100.7")


def test_report_is_stored_and_its_status_page_is_private(client):
    response = post(client, GOOD)
    assert response.status_code == 302
    status_url = response["Location"]
    assert status_url.startswith("/submit/status/")
    submission = Submission.objects.get()
    assert submission.kind == Submission.Kind.REPORT
    assert submission.status == Submission.Status.NEW
    token = status_url.split("/")[3]
    assert len(token) >= 40 and token not in submission.token_hash
    page = client.get(status_url)
    assert page.status_code == 200
    assert "Thank you" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert AuditEvent.objects.filter(action="create", object_id=submission.pk).exists()


def test_unknown_status_token_is_404(client):
    assert client.get("/submit/status/not-a-token/").status_code == 404


def test_forms_are_never_cached(client):
    response = client.get("/submit/")
    assert "no-store" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"source_urls": ""}, "source_urls", "at least one source"),
        (
            {"source_urls": "\n".join(f"https://e.org/{n}" for n in range(6))},
            "source_urls",
            "at most 5 links",
        ),
        ({"source_urls": "javascript:alert(1)"}, "source_urls", "not a web address"),
        (
            {"source_urls": "https://e.org/" + "a" * 600},
            "source_urls",
            "at most 500",
        ),
        ({"title": ""}, "title", "required"),
        ({"occurred": "March 2023"}, "occurred", "YYYY"),
        ({"occurred": "2999"}, "occurred", "future"),
        ({"description": "x" * 5001}, "description", "at most 5000"),
        (
            {"organisations": "\n".join(f"Org {n}" for n in range(11))},
            "organisations",
            "at most 10",
        ),
        ({"submitter_email": "nope"}, "submitter_email", "valid email"),
        ({"contact_consent": "on"}, "submitter_email", "Give an email"),
    ],
)
def test_bad_input_comes_back_with_a_message_and_the_input(
    client, change, field, message
):
    data = {**GOOD, **change}
    response = post(client, data)
    assert response.status_code == 200
    assert not Submission.objects.exists()
    form = response.context["form"]
    assert message.lower() in " ".join(form.errors[field]).lower()
    body = response.content.decode()
    assert "A chatbot gave out customers&#x27; addresses" in body or not data["title"]


def test_honeypot_refuses_without_storing(client):
    response = post(client, {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_rate_limit_per_address_answers_429_with_retry_after(client, settings):
    settings.SUBMISSION_RATE = "2/h"
    assert post(client, GOOD).status_code == 302
    assert post(client, GOOD).status_code == 302
    third = post(client, GOOD)
    assert third.status_code == 429
    assert 0 < int(third["Retry-After"]) <= 3600
    assert "Too many submissions" in third.content.decode()
    assert Submission.objects.count() == 2
    # Another address is not affected.
    other = client.post("/submit/", GOOD, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


def test_csrf_is_required(settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/submit/", GOOD)
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_check_button_shows_hints_and_saves_nothing(client):
    incident = make_incident(title="A chatbot leaked customer addresses")
    add_source(incident, url="https://www.news.example.org/story/")
    response = post(client, {**GOOD, "check": "1"})
    assert response.status_code == 200
    assert not Submission.objects.exists()
    body = response.content.decode()
    assert incident.code in body and "cites the same source" in body
    assert "A chatbot gave out customers" in body  # the input is kept


def test_correction_is_about_the_page_it_came_from(client):
    term = make_term(slug="model-collapse", term="Model Collapse")
    page = client.get(term.get_absolute_url()).content.decode()
    link = reverse("contributions:correction") + f"?page=/glossary/{term.slug}/"
    assert link in page.replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200 and "Model Collapse" in form.content.decode()
    response = post(
        client, {"description": "The definition is wrong.", "proposed_text": "X"}, link
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.kind == Submission.Kind.CORRECTION
    assert submission.target == term


def test_correction_needs_a_published_entry(client):
    draft = make_term(state="draft")
    url = reverse("contributions:correction") + f"?page=/glossary/{draft.slug}/"
    assert client.get(url).status_code == 404
    assert client.get(reverse("contributions:correction")).status_code == 404


def test_every_entry_page_offers_a_correction(client):
    incident = make_incident()
    add_entity(incident)
    pattern = incident.primary_pattern
    for url in (
        incident.get_absolute_url(),
        pattern.get_absolute_url(),
        pattern.domain.get_absolute_url(),
    ):
        body = client.get(url).content.decode()
        assert "Suggest a correction" in body, url


def test_report_is_linked_from_header_list_and_home(client):
    for url in ("/", "/incidents/"):
        body = client.get(url).content.decode()
        assert body.count('href="/submit/"') >= 2, url
