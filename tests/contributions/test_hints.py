"""Duplicate hints: same source, similar title, same organisation and date."""

import pytest

from contributions.hints import find, normalise_url
from tests.factories import add_entity, add_source, make_incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "spelling",
    [
        "https://www.news.example.org/story/",
        "http://news.example.org/story",
        "https://NEWS.example.org/story?utm_source=feed&utm_medium=x",
        "https://news.example.org/story/#comments",
        "https://news.example.org/story?fbclid=abc",
    ],
)
def test_url_spellings_normalise_alike(spelling):
    assert normalise_url(spelling) == "news.example.org/story"


def test_meaningful_query_parameters_stay():
    assert normalise_url("https://e.org/a?id=2&utm_x=1") == "e.org/a?id=2"


def test_same_source_ranks_first_with_its_reason():
    cited = make_incident(title="Voice clone robocall", date_occurred="2024-01")
    add_source(cited, url="https://www.news.example.org/story/?utm_source=rss")
    similar = make_incident(title="A chatbot leaked customer addresses")
    hints = find(
        urls=["http://news.example.org/story"],
        title="A chatbot leaked the addresses of customers",
    )
    assert [h.incident for h in hints] == [cited, similar]
    assert hints[0].reasons == ["cites the same source (news.example.org/story)"]
    assert hints[1].reasons[0].startswith("similar title")


def test_organisation_and_date_together_are_a_hint_alone_they_are_not():
    incident = make_incident(title="Unrelated words", date_occurred="2023-03-30")
    add_entity(incident, name="Acme Corp")
    other = make_incident(title="Other words", date_occurred="2021")
    add_entity(other, name="Acme Corp")
    hints = find(organisations=["acme corp"], occurred="2023-03")
    assert [h.incident for h in hints] == [incident]
    assert hints[0].reasons == ["same organisation (Acme Corp)", "same date (2023-03)"]
    assert find(organisations=["Acme Corp"]) == []


def test_unpublished_incidents_are_never_hinted():
    draft = make_incident(title="A chatbot leaked customer addresses", state="draft")
    add_source(draft, url="https://news.example.org/story")
    assert find(urls=["https://news.example.org/story"], title=draft.title) == []


def test_hints_endpoint_answers_json_for_the_form(client):
    incident = make_incident(title="Voice clone robocall")
    add_source(incident, url="https://news.example.org/story")
    response = client.get(
        "/submit/hints.json",
        {"url": "https://www.news.example.org/story/", "title": "x"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    hint = response.json()["hints"][0]
    assert hint["code"] == incident.code
    assert hint["url"] == incident.get_absolute_url()
    assert hint["reasons"] == ["cites the same source (news.example.org/story)"]


def test_hints_endpoint_is_rate_limited(client, settings):
    settings.SUBMISSION_HINTS_RATE = "2/m"
    for _ in range(2):
        assert client.get("/submit/hints.json?title=abc").status_code == 200
    response = client.get("/submit/hints.json?title=abc")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_plain_title_fallback_without_pg_trgm(monkeypatch):
    from contributions import hints

    similar = make_incident(title="Chatbot leaked customer addresses")
    make_incident(title="Something else entirely")

    class SQLite:
        vendor = "sqlite"

    monkeypatch.setattr(hints, "connection", SQLite())
    found = find(title="Chatbot leaked addresses of customers")
    assert [h.incident for h in found] == [similar]
