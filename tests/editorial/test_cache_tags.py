"""The tag collector: every public page is tagged, and tagging runs no SQL."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.cache_tags import SITE, collecting
from tests.factories import (
    add_entity,
    add_source,
    make_domain,
    make_incident,
    make_pattern,
    make_sector,
    make_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls():
    domain = make_domain()
    pattern = make_pattern(domain)
    sector = make_sector()
    incident = make_incident(pattern, code="INC-23-0042")
    incident.sectors.add(sector)
    add_source(incident)
    add_entity(incident)
    term = make_term(term="Prompt injection", definition="See INC-23-0042.")
    term.related_incidents.add(incident)
    return [
        "/",
        "/taxonomy/",
        "/incidents/",
        f"/incidents/?sector={sector.slug}",
        incident.get_absolute_url(),
        pattern.get_absolute_url(),
        domain.get_absolute_url(),
        sector.get_absolute_url(),
        f"/{sector.url_prefix}/",
        "/glossary/",
        term.get_absolute_url(),
        "/search/?q=prompt",
        "/digests/2023/",
        "/changes/",
        "/changes/feed/",
        "/sitemap.xml",
        "/api/threats.json",
        "/api/incidents.json",
        "/api/incidents.csv",
        "/api/glossary.json",
        "/api/graph.json",
        f"/api/incidents/{incident.code}.json",
        f"/api/glossary/{term.slug}.json",
    ]


def test_every_public_page_is_tagged_without_extra_queries(client, urls, caplog):
    caplog.set_level(logging.ERROR, logger="editorial.cache_tags")
    for url in urls:
        client.get(url)  # warm the per-process caches (content types)
        with CaptureQueriesContext(connection) as plain:
            expected = client.get(url)
        with collecting() as tags, CaptureQueriesContext(connection) as tagged:
            response = client.get(url)
        assert response.status_code == expected.status_code == 200, url
        assert len(tagged) == len(plain), url
        assert tags, url
    assert not caplog.records, [r.getMessage() for r in caplog.records]


def test_detail_pages_name_their_entries_not_whole_collections(client, urls):
    incident_url = next(u for u in urls if u.startswith("/incidents/INC-"))
    with collecting() as tags:
        client.get(incident_url)
    assert any(tag.startswith("incident:") for tag in tags)
    # Another incident's publish must leave this page alone.
    assert "incidents" not in tags
    assert SITE not in tags
    with collecting() as tags:
        client.get("/incidents/")
    assert "incidents" in tags
