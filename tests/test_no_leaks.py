"""No unpublished text reaches a reader: plant a marker everywhere, crawl, search.

Drafts, entries in review, archived entries and pending changes of published
entries carry a unique marker in every text field and in their summaries. An
anonymous reader then follows every link from the home page, the sitemap and
the API index, runs every filter link it finds, searches for the marker, reads
the feeds and every API endpoint; the marker must appear nowhere.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import models

from contributions import services as contributions
from downloads import builder
from editorial import services
from editorial.models import State
from incidents.models import (
    DIMENSIONS,
    AffectedGroup,
    CausalFactor,
    Domain,
    Incident,
    IncidentEntity,
    Organisation,
    ThreatPattern,
)
from tests.factories import (
    add_entity,
    add_source,
    make_domain,
    make_incident,
    make_organisation,
    make_pattern,
    make_sector,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db

MARKER = "zqxleakmarker"
KEEP_FORMAT = {"code", "slug", "date_occurred", "date", "url", "state", "category"}
MAX_PAGES = 1500
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
# Planted text always continues after the marker ("<marker> draft title",
# "<marker>-term-draft"); a search page echoing the reader's own query does not.
LEAK = re.compile(rf"{MARKER}(?:</?\w+>)*[\s\-_%+]+\w", re.IGNORECASE)
FIXED_URLS = [
    "/",
    "/sitemap.xml",
    "/robots.txt",
    "/changes/",
    "/changes/?minor=1",
    "/changes/feed/",
    "/api/",
    "/api/threats.json",
    "/api/incidents.json",
    "/api/incidents.csv",
    "/api/glossary.json",
    "/api/graph.json",
    "/api/organisations.json",
    "/api/openapi.json",
    "/organisations/",
    "/downloads/",
    "/api/citations.json",
    f"/search/?q={MARKER}",
    f"/search/?q={MARKER}&type=incident",
    f"/search/?q={MARKER}&type=term",
    f"/incidents/?q={MARKER}",
    f"/glossary/?q={MARKER}",
    "/submit/",
    f"/submit/hints.json?title={MARKER}+submitted+title",
    f"/submit/hints.json?url=https://example.org/{MARKER}-source",
]


def _text_fields(model: type[models.Model]):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and field.name not in KEEP_FORMAT
            and field.editable
            and "search" not in field.name
        ):
            yield field


def _mark(entry, label: str) -> None:
    for field in _text_fields(type(entry)):
        if field.name == "same_as":
            value = f"https://example.org/{MARKER}-{label}"
        else:
            value = f"{MARKER} {label} {field.name}"
        setattr(entry, field.name, value[: field.max_length or None])


def _plant_pending_change(entry, author, label: str) -> None:
    def apply(live):
        _mark(live, label)
        live.save()
        if isinstance(live, Incident):
            add_source(live, title=f"{MARKER} pending source")

    services.edit(entry, by=author, apply=apply, summary=f"{MARKER} summary {label}")


@pytest.fixture
def planted():
    author = make_user("author", role="Author")
    domain = make_domain(code="DOM-SEC", slug="security-cyber", title="Security")
    pattern = make_pattern(domain, code="PAT-SEC-001", slug="prompt-injection")
    sector = make_sector(name="Healthcare", slug="healthcare")
    incident = make_incident(pattern, narrative="Cited [1].", date_occurred="2023-02")
    add_source(incident)
    organisation = add_entity(incident, name="Acme").organisation
    incident.sectors.add(sector)
    term = make_term(term="Prompt Injection", slug="prompt-injection")
    term.related_incidents.add(incident)
    term.related_patterns.add(pattern)
    published = [domain, pattern, incident, term, sector, organisation]

    # Unpublished entries of every kind, linked to published ones.
    for state in (State.DRAFT, State.IN_REVIEW, State.ARCHIVED):
        label = f"{state}"
        draft_domain = make_domain(state=state, slug=f"{MARKER}-domain-{state}")
        draft_pattern = make_pattern(
            domain, state=state, slug=f"{MARKER}-pattern-{state}"
        )
        draft_incident = make_incident(
            pattern, state=state, slug=f"{MARKER}-incident-{state}"
        )
        draft_incident.sectors.add(sector)
        draft_term = make_term(state=state, slug=f"{MARKER}-term-{state}")
        draft_term.related_terms.add(term)
        draft_term.related_incidents.add(incident)
        incident.secondary_patterns.add(draft_pattern)
        term.related_patterns.add(draft_pattern)
        term.related_domains.add(draft_domain)
        draft_organisation = make_organisation(
            state=state, slug=f"{MARKER}-organisation-{state}"
        )
        IncidentEntity.objects.create(
            incident=incident, organisation=draft_organisation, role="deployer"
        )
        IncidentEntity.objects.create(
            incident=draft_incident, organisation=organisation, role="victim"
        )
        for entry in (
            draft_domain,
            draft_pattern,
            draft_incident,
            draft_term,
            draft_organisation,
        ):
            _mark(entry, label)
            entry.save()
        for prefix, model in DIMENSIONS.items():
            extra = {}
            if model is AffectedGroup:
                extra = {"category": "individuals"}
            if model is CausalFactor:
                extra = {"code": f"CAUSE-{900 + len(label)}{prefix[:0]}"[:9]}
                extra["category"] = "design_development"
                if model.objects.filter(code=extra["code"]).exists():
                    continue
            value = model.objects.create(
                name=f"{MARKER} {prefix} {state}",
                slug=f"{MARKER}-{prefix}-{state}",
                description=f"{MARKER} description",
                state=state,
                **extra,
            )
            getattr(incident, model.incident_field).add(value)

    # Pending changes on every published entry.
    for entry in published:
        _plant_pending_change(entry, author, "pending")
    _plant_submissions(author, pattern, incident, term)
    builder.build()  # the download files, linked from /downloads/
    return published


def _plant_submissions(author, pattern, incident, term) -> None:
    """Readers' submissions, open and triaged, never public as typed."""

    def report():
        return contributions.receive(
            kind="report",
            title=f"{MARKER} submitted title",
            occurred="2023-02",
            description=f"{MARKER} submitted description",
            source_urls=f"https://example.org/{MARKER}-source",
            organisations=f"{MARKER} organisation",
            submitter_name=f"{MARKER} name",
            submitter_email="reader@example.org",
        )[0]

    report()
    contributions.create_draft_incident(report(), by=author, primary_pattern=pattern)
    contributions.add_as_source(report(), by=author, incident=incident)
    contributions.reject(report(), by=author, reason=f"{MARKER} reason given")
    for target in (incident, term):
        contributions.receive(
            kind="correction",
            target=target,
            description=f"{MARKER} what is wrong",
            proposed_text=f"{MARKER} proposed text",
            source_urls=f"https://example.org/{MARKER}-correction",
        )


def _links(base: str, body: str) -> list[str]:
    found = []
    for href in LINK.findall(body):
        url = urljoin(base, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(("/admin", "/static")):
            continue
        found.append(path)
    return found


def test_marker_appears_nowhere_a_reader_can_go(client, planted):
    queue, seen, visited = deque(FIXED_URLS), set(FIXED_URLS), 0
    for entry in planted:
        url = entry.get_absolute_url()
        queue.append(url)
        seen.add(url)
    leaks = []
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url, follow=True)
        visited += 1
        assert response.status_code < 500, url
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        if LEAK.search(text):
            leaks.append(url)
        content_type = response.get("Content-Type", "")
        if "html" in content_type or "xml" in content_type:
            for link in _links(url, text):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    assert not leaks, f"unpublished text visible at {leaks}"
    assert visited > 40  # the crawl really went through the site


def test_entry_json_endpoints_do_not_leak(client, planted):
    domain, pattern, incident, term, _, organisation = planted
    for url in (
        f"/api/incidents/{incident.code}.json",
        f"/api/organisations/{organisation.slug}.json",
        f"/api/glossary/{term.slug}.json",
        f"/api/patterns/{pattern.code}.json",
        f"/api/domains/{domain.code}.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not LEAK.search(response.content.decode()), url
    for draft in Incident.objects.exclude(state=State.PUBLISHED):
        assert client.get(f"/api/incidents/{draft.code}.json").status_code == 404
    for draft in Organisation.objects.exclude(state=State.PUBLISHED):
        assert client.get(f"/api/organisations/{draft.slug}.json").status_code == 404
        assert client.get(draft.get_absolute_url()).status_code == 404
    for model in (Domain, ThreatPattern):
        for draft in model.objects.exclude(state=State.PUBLISHED):
            kind = "domains" if model is Domain else "patterns"
            assert client.get(f"/api/{kind}/{draft.code}.json").status_code == 404
