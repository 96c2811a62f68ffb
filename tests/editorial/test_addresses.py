"""Absolute links name the address the site is served on, not a fixed one.

Without SITE_URL (development) they follow the request's scheme and host; with
it (production) they always say SITE_URL; outside a request they fall back to
SITE_URL or the development address.
"""

import json
import re

import pytest

from editorial.addresses import DEVELOPMENT_SITE_URL, site_url
from tests.factories import make_incident, make_term

pytestmark = pytest.mark.django_db

HOST = "threatwatch.local:8123"


@pytest.fixture
def served_elsewhere(settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "threatwatch.local"]


def absolute_links(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>]+", html))


def test_pages_link_to_the_address_they_were_requested_at(client, served_elsewhere):
    incident = make_incident(code="INC-23-0042")
    term = make_term(slug="hallucination")
    for path in (incident.get_absolute_url(), term.get_absolute_url(), "/"):
        html = client.get(path, HTTP_HOST=HOST).content.decode()
        ours = {
            link
            for link in absolute_links(html)
            if "schema.org" not in link and "threatwatch.local" in link
        }
        assert ours, path
        assert "127.0.0.1:8000" not in html, path
        assert f'<link rel="canonical" href="http://{HOST}{path}">' in html
    html = client.get(incident.get_absolute_url(), HTTP_HOST=HOST).content.decode()
    # "Cite this page" names the permanent address on this host
    assert f"http://{HOST}/incidents/INC-23-0042/" in html
    bibtex = client.get(
        incident.get_absolute_url(), {"format": "bibtex"}, HTTP_HOST=HOST
    ).content.decode()
    assert f"url = {{http://{HOST}/incidents/INC-23-0042/}}" in bibtex


def test_https_requests_link_over_https(client, served_elsewhere):
    term = make_term(slug="jailbreak")
    html = client.get(term.get_absolute_url(), HTTP_HOST=HOST, secure=True)
    assert f"https://{HOST}/glossary/jailbreak/" in html.content.decode()


def test_api_url_fields_follow_the_request(client, served_elsewhere):
    incident = make_incident(code="INC-23-0043")
    body = client.get(f"/api/incidents/{incident.code}.json", HTTP_HOST=HOST)
    assert body.status_code == 200
    assert json.loads(body.content)["url"].startswith(f"http://{HOST}/incidents/")
    listing = json.loads(client.get("/api/incidents.json", HTTP_HOST=HOST).content)
    assert all(row["url"].startswith(f"http://{HOST}/") for row in listing["incidents"])


def test_site_url_wins_over_the_request_when_set(client, settings):
    settings.SITE_URL = "https://threatwatch.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "threatwatch.local"]
    incident = make_incident(code="INC-23-0044")
    html = client.get(incident.get_absolute_url(), HTTP_HOST=HOST).content.decode()
    assert "https://threatwatch.example/incidents/INC-23-0044/" in html
    assert "threatwatch.local" not in html
    body = client.get(f"/api/incidents/{incident.code}.json", HTTP_HOST=HOST)
    assert json.loads(body.content)["url"].startswith("https://threatwatch.example/")


def test_outside_a_request_the_site_url_or_the_development_address(settings):
    settings.SITE_URL = ""
    assert site_url("/glossary/") == DEVELOPMENT_SITE_URL + "/glossary/"
    settings.SITE_URL = "https://threatwatch.example"
    assert site_url("/glossary/") == "https://threatwatch.example/glossary/"
    assert site_url() == "https://threatwatch.example"
