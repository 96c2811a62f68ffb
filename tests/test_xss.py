"""Editor text is data, not code: 60+ known XSS payloads through every editor field.

Every text field of every kind of entry carries each payload; the public pages,
their JSON-LD, the feed and the API must show it as text only, and a real
browser loading the pages must never run any of it.
"""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import models

from editorial.models import State
from glossary.models import Category, Term
from incidents.models import (
    Domain,
    Incident,
    IncidentEntity,
    IncidentSource,
    Organisation,
    Sector,
    ThreatPattern,
)

PAYLOADS = [
    line.replace("\\n", "\n")
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt")
    .read_text()
    .splitlines()
    if line and not line.startswith("# ")
]
FORMATTED = {"code", "slug", "date_occurred", "date", "url", "state"}
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "style", "isindex", "frame"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "data",
                  "xlink:href", "poster", "srcdoc"}  # fmt: skip
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 60


def _fill(entry: models.Model, payload: str) -> None:
    for field in entry._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and field.editable
            and not field.choices
            and field.name not in FORMATTED
            and "search" not in field.name
        ):
            value = payload if field.name != "same_as" else f"{payload}\n{payload}"
            setattr(entry, field.name, value[: field.max_length or None])


def _letters(n: int) -> str:
    return "".join(chr(65 + (n // 26**i) % 26) for i in range(3))


@pytest.fixture
def payload_site():
    """One published entry of each kind per payload, every text field filled."""
    common = {"state": State.PUBLISHED, "last_updated": "2026-01-01"}
    pages = ["/", "/glossary/", "/incidents/", "/taxonomy/", "/sectors/",
             "/organisations/",
             "/changes/", "/search/?q=alert", "/digests/2023/"]  # fmt: skip
    for n, payload in enumerate(PAYLOADS):
        domain = Domain(code=f"DOM-{_letters(n)}", slug=f"d{n}", **common)
        _fill(domain, payload)
        domain.save()
        pattern = ThreatPattern(
            code=f"PAT-{_letters(n)}-001", slug=f"p{n}", domain=domain,
            severity="high", likelihood="stable", **common,
        )  # fmt: skip
        _fill(pattern, payload)
        pattern.save()
        incident = Incident(
            slug=f"i{n}", date_occurred="2023-05", status="confirmed",
            severity="high", evidence_level="primary", impact_level="group",
            primary_pattern=pattern, **common,
        )  # fmt: skip
        _fill(incident, payload)
        incident.save()
        source = IncidentSource(incident=incident, source_type="legal",
                                url="https://example.org/", position=1)  # fmt: skip
        _fill(source, payload)
        source.save()
        organisation = Organisation(slug=f"o{n}", **common)
        _fill(organisation, payload)
        organisation.name = f"{n} {payload}"[:200]
        organisation.save()
        IncidentEntity.objects.create(
            incident=incident, organisation=organisation, role="victim",
            qualifier=payload[:160],
        )  # fmt: skip
        sector = Sector(slug=f"s{n}", **common)
        _fill(sector, payload)
        sector.name = f"{n} {payload}"[:120]
        sector.save()
        incident.sectors.add(sector)
        category = Category(name=f"{n} {payload}"[:80], slug=f"c{n}")
        category.save()
        term = Term(slug=f"t{n}", category=category, **common)
        _fill(term, payload)
        term.term = f"{n} {payload}"[:120]
        term.save()
        term.related_incidents.add(incident)
        term.related_patterns.add(pattern)
        pages += [
            domain.get_absolute_url(),
            pattern.get_absolute_url(),
            incident.get_absolute_url(),
            sector.get_absolute_url(),
            term.get_absolute_url(),
            organisation.get_absolute_url(),
        ]
    return pages


class _DangerFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_json_ld = False
        self.json_ld: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("type") == "application/ld+json":
                self.in_json_ld = True
                self.json_ld.append("")
            elif not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script {attrs}>")
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        if tag == "img" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"<img {attrs}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value and BAD_SCHEME.match(value):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_json_ld = False

    def handle_data(self, data):
        if self.in_json_ld:
            self.json_ld[-1] += data


def _check_html(url: str, html: str) -> list[str]:
    finder = _DangerFinder()
    finder.feed(html)
    problems = [f"{url}: {p}" for p in finder.problems]
    for block in finder.json_ld:
        try:
            json.loads(block)
        except ValueError:
            problems.append(f"{url}: JSON-LD does not parse")
        if "</" in block:
            problems.append(f"{url}: JSON-LD contains an unescaped closing tag")
    return problems


@pytest.mark.django_db
def test_payloads_appear_only_as_text(client, payload_site):
    problems = []
    for url in payload_site:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        problems += _check_html(url, response.content.decode())
    assert not problems, "\n".join(problems[:40])


@pytest.mark.django_db
def test_feed_and_api_carry_payloads_as_data(client, payload_site):
    feed = client.get("/changes/feed/?minor=1").content
    root = ET.fromstring(feed)  # raw markup would break the XML
    assert all(el.tag.startswith("{http://www.w3.org/2005/Atom}") for el in root.iter())
    for url in ("/api/threats.json", "/api/incidents.json", "/api/glossary.json",
                "/api/graph.json", "/api/organisations.json",
                "/api/organisations/o0.json"):  # fmt: skip
        response = client.get(url)
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        json.loads(response.content)


@pytest.mark.django_db
def test_markdown_preview_renders_payloads_as_text(client):
    """The editor's live preview sanitises exactly as the public pages do."""
    from tests.factories import make_term, make_user

    make_term(term="Prompt Injection", slug="prompt-injection")
    client.force_login(make_user("xss-editor", is_superuser=True))
    problems = []
    for kind in ("markdown", "footnotes", "lines"):
        for n, payload in enumerate(PAYLOADS):
            response = client.post(
                "/admin/markdown-preview/",
                {
                    "text": f"Prompt injection [1] {payload}",
                    "kind": kind,
                    "model": "glossary.term",
                },
            )
            assert response.status_code == 200, (kind, n)
            html = response.json()["html"]
            problems += _check_html(f"preview {kind} #{n}", f"<div>{html}</div>")
    assert not problems, "\n".join(problems[:40])
