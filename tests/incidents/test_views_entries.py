"""Entry pages: derived figures, citations, JSON-LD, redirects, dimension pages."""

import datetime
import json
import re

import pytest

from editorial.models import State
from incidents.models import Region, Sector
from tests.factories import make_dimension, make_domain, make_incident, make_pattern

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> list[dict]:
    """Return every JSON-LD block of a page, parsed."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return [json.loads(block) for block in blocks]


def test_domain_figures_match_hand_computed_values(client):
    domain = make_domain()
    common = make_pattern(domain, title="Common pattern")
    rare = make_pattern(domain, title="Rare pattern")
    # 6 published: 3 high or critical (50%), 2 resolved (33%), common 4 of 6
    make_incident(common, severity="critical", resolution="resolved")
    make_incident(common, severity="high")
    make_incident(common, severity="low", resolution="resolved")
    make_incident(common, severity="medium")
    make_incident(rare, severity="high")
    make_incident(rare, severity="low")
    make_incident(common, severity="critical", state=State.DRAFT)
    html = client.get(domain.get_absolute_url()).content.decode()
    assert "<dt>Threat patterns</dt><dd>2</dd>" in html
    assert "<dt>Incidents</dt><dd>6</dd>" in html
    assert "50% <span" in html and "(3 of 6)" in html
    assert "33% <span" in html and "(2 of 6)" in html
    assert "Common pattern</a> <span" in html and "(4)" in html
    assert "View all 6 incidents" in html
    assert "say little" not in html  # six is not a small sample


def test_small_sample_caution_and_view_all_link(client):
    domain = make_domain(slug="tiny")
    make_incident(make_pattern(domain))
    html = client.get(domain.get_absolute_url()).content.decode()
    assert "Only 1 incident is recorded here" in html
    assert 'href="/incidents/?domain=tiny">View all 1 incident<' in html


def test_pattern_page_counts_primary_and_secondary_incidents(client):
    pattern = make_pattern(slug="target")
    make_incident(pattern, severity="critical")
    make_incident(make_pattern()).secondary_patterns.add(pattern)
    make_incident(pattern, state=State.DRAFT)
    html = client.get(pattern.get_absolute_url()).content.decode()
    assert "View all 2 incidents" in html
    assert "?pattern=target&amp;pattern_scope=any" in html
    assert "(1 of 2)" in html  # one of the two rated high or critical


def test_top_five_incidents_by_severity(client):
    domain = make_domain()
    pattern = make_pattern(domain)
    for severity in ("low", "low", "medium", "high", "critical", "low", "medium"):
        make_incident(pattern, severity=severity, title=f"Sev {severity}")
    html = client.get(domain.get_absolute_url()).content.decode()
    section = html.split("Most severe incidents")[1].split("</section>")[0]
    shown = re.findall(r"Sev (\w+)</a>", section)
    assert shown == ["critical", "high", "medium", "medium", "low"]


@pytest.mark.parametrize("kind", ["incident", "pattern", "domain"])
def test_entry_pages_carry_valid_json_ld_and_open_graph(client, kind, settings):
    settings.SITE_URL = "https://threatwatch.example"
    incident = make_incident(date_occurred="2023-03-30")
    entry = {
        "incident": incident,
        "pattern": incident.primary_pattern,
        "domain": incident.primary_pattern.domain,
    }[kind]
    html = client.get(entry.get_absolute_url()).content.decode()
    data = json_ld(html)
    types = [block["@type"] for block in data]
    assert types == ["Article", "BreadcrumbList"]
    article, crumbs = data
    assert article["identifier"] == entry.code
    assert article["url"] == f"https://threatwatch.example{entry.get_absolute_url()}"
    assert article["dateModified"] == entry.last_updated.isoformat()
    assert crumbs["itemListElement"][-1]["item"] == article["url"]
    assert [item["position"] for item in crumbs["itemListElement"]] == list(
        range(1, len(crumbs["itemListElement"]) + 1)
    )
    assert f'<link rel="canonical" href="{article["url"]}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{article["url"]}">' in html


def test_json_ld_escapes_editor_text(client):
    incident = make_incident(summary="Ends the script </script><script>alert(1)")
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)[0]["description"].endswith("<script>alert(1)")


def test_incident_citation_and_bibtex_use_the_permanent_address(client, settings):
    settings.SITE_URL = "https://threatwatch.example"
    incident = make_incident(
        title="Chatbot {invents} a 100% refund", last_updated=datetime.date(2024, 5, 1)
    )
    html = client.get(incident.get_absolute_url()).content.decode()
    permanent = f"https://threatwatch.example/incidents/{incident.code}/"
    assert "Cite this page" in html
    assert f"({incident.code})" in html and "updated 2024-05-01" in html
    assert f'href="{permanent}"' in html
    response = client.get(incident.get_absolute_url() + "?format=bibtex")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-bibtex"
    bib = response.content.decode()
    assert bib.startswith(f"@misc{{threatwatch:{incident.code},")
    assert r"Chatbot \{invents\} a 100\% refund" in bib
    assert f"url = {{{permanent}}}" in bib
    assert "note = {Updated 2024-05-01}" in bib
    assert bib.count("{") == bib.count("}")
    # the permanent address leads to the page
    assert client.get(f"/incidents/{incident.code}/").status_code == 301


@pytest.mark.parametrize("kind", ["pattern", "domain"])
def test_taxonomy_entries_offer_bibtex(client, kind):
    pattern = make_pattern()
    entry = pattern if kind == "pattern" else pattern.domain
    response = client.get(entry.get_absolute_url() + "?format=bibtex")
    assert response["Content-Type"] == "text/x-bibtex"
    assert f"threatwatch:{entry.code}" in response.content.decode()


@pytest.mark.parametrize("kind", ["pattern", "domain"])
def test_old_slugs_of_patterns_and_domains_redirect(client, kind):
    pattern = make_pattern()
    entry = pattern if kind == "pattern" else pattern.domain
    type(entry).objects.get(pk=entry.pk)  # loaded as an editor would
    entry = type(entry).objects.get(pk=entry.pk)
    old_url = entry.get_absolute_url()
    entry.slug = "renamed"
    entry.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == entry.get_absolute_url()
    entry.slug = "renamed-again"
    entry.save()
    assert client.get(old_url)["Location"] == entry.get_absolute_url()
    assert client.get(old_url.replace(entry.slug, "renamed"))["Location"] == (
        entry.get_absolute_url()
    )


def test_slug_changed_back_does_not_redirect_to_itself(client):
    pattern = make_pattern(slug="first")
    pattern = type(pattern).objects.get(pk=pattern.pk)
    pattern.slug = "second"
    pattern.save()
    pattern.slug = "first"
    pattern.save()
    assert client.get("/patterns/first/").status_code == 200
    assert client.get("/patterns/second/").status_code == 301


def test_retired_slug_of_an_unpublished_entry_is_404(client):
    pattern = type(make_pattern(slug="was")).objects.get(slug="was")
    pattern.slug = "now"
    pattern.state = State.DRAFT
    pattern.save()
    assert client.get("/patterns/was/").status_code == 404


def test_dimension_page_shows_figures_incidents_and_link_to_list(client):
    region = make_dimension(Region, name="Europe", slug="europe")
    for severity in ("critical", "low"):
        make_incident(severity=severity).regions.add(region)
    hidden = make_incident(state=State.DRAFT, title="Unseen")
    hidden.regions.add(region)
    html = client.get("/regions/europe/").content.decode()
    assert "<dt>Incidents</dt><dd>2</dd>" in html
    assert "(1 of 2)" in html
    assert "Unseen" not in html
    assert 'href="/incidents/?region=europe"' in html
    assert json_ld(html)[0]["@type"] == "BreadcrumbList"


def test_dimension_pages_page_and_survive_bad_page_numbers(client):
    sector = make_dimension(Sector, slug="busy")
    pattern = make_pattern()
    for _ in range(27):
        make_incident(pattern).sectors.add(sector)
    assert client.get("/sectors/busy/?page=2").status_code == 200
    response = client.get("/sectors/busy/?page=9999")
    assert response.status_code == 200
    assert "showing page 2" in response.content.decode()


@pytest.mark.parametrize(
    "prefix",
    [
        "sectors",
        "affected-groups",
        "exposure-pathways",
        "causal-factors",
        "harm-types",
        "assets",
        "regions",
    ],
)
def test_every_dimension_index_lists_published_values_with_counts(client, prefix):
    from incidents.models import DIMENSIONS

    model = DIMENSIONS[prefix]
    value = make_dimension(model, name="Shown value")
    make_dimension(model, name="Hidden value", state=State.DRAFT)
    getattr(make_incident(), model.incident_field).add(value)
    html = client.get(f"/{prefix}/").content.decode()
    plural = str(model._meta.verbose_name_plural).capitalize()
    assert f"<h1>{plural}</h1>" in html
    assert "Shown value" in html and "Hidden value" not in html
    assert "1 incident" in html
    detail = client.get(value.get_absolute_url()).content.decode()
    assert f'<a href="/{prefix}/">{plural}</a>' in detail


def test_dimension_index_query_count_is_fixed(client, django_assert_num_queries):
    make_dimension(Sector)
    with django_assert_num_queries(1):
        client.get("/sectors/")
    for _ in range(5):
        make_incident().sectors.add(make_dimension(Sector))
    with django_assert_num_queries(1):
        client.get("/sectors/")


def test_pattern_page_shows_its_title_code_and_tagline(client):
    pattern = make_pattern(title="Memory Poisoning", tagline="Planted memories.")
    html = client.get(pattern.get_absolute_url()).content.decode()
    assert "<h1>Memory Poisoning</h1>" in html
    assert "<title>Memory Poisoning · Threatwatch</title>" in html
    assert f'<span class="badge code">{pattern.code}</span>' in html
    assert "Planted memories." in html
