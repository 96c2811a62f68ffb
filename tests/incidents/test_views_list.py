"""The public incident list: filters, facet counts, sorting, paging, bad input."""

import re

import pytest

from editorial.models import State
from incidents.models import (
    AffectedGroup,
    Asset,
    CausalFactor,
    ExposurePathway,
    HarmType,
    Region,
    Sector,
)
from tests.factories import (
    add_entity,
    make_dimension,
    make_domain,
    make_incident,
    make_pattern,
)

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    """Return the incident titles of a list page, in order."""
    html = response.content.decode()
    return re.findall(r'<span class="code">INC-[^<]+</span> ([^<]+)</a>', html)


def option_count(response, name: str, value: str) -> int | None:
    """Return the count shown next to a value in a facet select."""
    html = response.content.decode()
    select = re.search(
        rf'<select id="id_{name}" name="{name}">(.*?)</select>', html, re.S
    )
    found = re.search(
        rf'<option value="{re.escape(value)}"[^>]*>[^<]*\((\d+)\)', select[1]
    )
    return int(found[1]) if found else None


@pytest.fixture
def corpus():
    """Two domains, four incidents spread over fields, dimensions and years."""
    security = make_domain(slug="security", short_title="Security")
    society = make_domain(slug="society", short_title="Society")
    injection = make_pattern(security, slug="injection", title="Injection")
    bias = make_pattern(society, slug="bias", title="Bias")
    dims = {
        model: make_dimension(model, slug=f"{model.url_prefix}-a")
        for model in (
            Sector,
            Region,
            AffectedGroup,
            ExposurePathway,
            CausalFactor,
            Asset,
            HarmType,
        )
    }
    one = make_incident(
        injection,
        title="One",
        date_occurred="2023-05",
        severity="critical",
        status="confirmed",
        evidence_level="primary",
        impact_level="organization",
        resolution="resolved",
    )
    two = make_incident(
        injection,
        title="Two",
        date_occurred="2024-01-02",
        severity="low",
        status="alleged",
        evidence_level="single-source",
        impact_level="individual",
    )
    three = make_incident(
        bias,
        title="Three",
        date_occurred="2022",
        severity="high",
        status="under_investigation",
        evidence_level="corroborated",
        impact_level="society-wide",
    )
    three.secondary_patterns.add(injection)
    make_incident(injection, title="Draft", state=State.DRAFT, date_occurred="2023")
    for model, value in dims.items():
        getattr(one, model.incident_field).add(value)
    add_entity(one, name="Acme Corp")
    add_entity(three, name="Globex")
    return {"one": one, "two": two, "three": three, "dims": dims}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("domain=security", {"One", "Two"}),
        ("pattern=injection", {"One", "Two"}),
        ("pattern=injection&pattern_scope=any", {"One", "Two", "Three"}),
        ("severity=critical", {"One"}),
        ("status=alleged", {"Two"}),
        ("evidence=corroborated", {"Three"}),
        ("impact=society-wide", {"Three"}),
        ("resolution=resolved", {"One"}),
        ("resolution=open", {"Two", "Three"}),
        ("year=2023", {"One"}),
        ("year_from=2023", {"One", "Two"}),
        ("year_to=2023", {"One", "Three"}),
        ("year_from=2023&year_to=2023", {"One"}),
        ("sector=sectors-a", {"One"}),
        ("region=regions-a", {"One"}),
        ("group=affected-groups-a", {"One"}),
        ("pathway=exposure-pathways-a", {"One"}),
        ("cause=causal-factors-a", {"One"}),
        ("asset=assets-a", {"One"}),
        ("harm=harm-types-a", {"One"}),
        ("entity=globex", {"Three"}),
    ],
)
def test_each_filter_narrows_the_list_to_published_matches(
    client, corpus, query, expected
):
    response = client.get(f"/incidents/?{query}")
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_filters_combine(client, corpus):
    assert titles(client.get("/incidents/?domain=security&severity=low")) == ["Two"]
    assert titles(client.get("/incidents/?domain=security&year=2022")) == []
    combined = client.get(
        "/incidents/?pattern=injection&pattern_scope=any&year_to=2023"
    )
    assert set(titles(combined)) == {"One", "Three"}


def test_list_never_shows_drafts_or_unpublished_values(client, corpus):
    make_dimension(Sector, name="Secret sector", slug="secret", state=State.DRAFT)
    make_pattern(title="Unreleased pattern", slug="unreleased", state=State.DRAFT)
    html = client.get("/incidents/").content.decode()
    assert "Draft" not in titles(client.get("/incidents/"))
    assert "Secret sector" not in html and "Unreleased pattern" not in html
    assert client.get("/incidents/?sector=secret").status_code == 200
    assert set(titles(client.get("/incidents/?sector=secret"))) == {
        "One",
        "Two",
        "Three",
    }


def test_facet_counts_cover_the_other_active_filters(client, corpus):
    response = client.get("/incidents/?domain=security")
    # the domain facet ignores its own choice, so the other domain still shows 1
    assert option_count(response, "domain", "security") == 2
    assert option_count(response, "domain", "society") == 1
    # other facets count within the chosen domain only; drafts never count
    assert option_count(response, "severity", "critical") == 1
    assert option_count(response, "severity", "high") == 0
    assert option_count(response, "year", "2023") == 1
    assert option_count(response, "sector", "sectors-a") == 1
    assert option_count(response, "entity", "acme-corp") == 1
    # organisations are offered when they appear among the matching incidents
    assert option_count(response, "entity", "globex") is None


def test_pattern_facet_counts_secondary_patterns_when_matching_any(client, corpus):
    primary = client.get("/incidents/")
    assert option_count(primary, "pattern", "injection") == 2
    any_scope = client.get("/incidents/?pattern_scope=any")
    assert option_count(any_scope, "pattern", "injection") == 3


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Two", "One", "Three"]),
        ("-date", ["Two", "One", "Three"]),
        ("date", ["Three", "One", "Two"]),
        ("severity", ["One", "Three", "Two"]),
        ("code", ["Three", "One", "Two"]),
    ],
)
def test_sorting(client, corpus, sort, expected):
    # an empty sort redirects to the bare list, which sorts newest first
    assert titles(client.get(f"/incidents/?sort={sort}", follow=True)) == expected


def test_sorting_by_last_updated(client, corpus):
    import datetime

    corpus["three"].last_updated = datetime.date(2030, 1, 1)
    corpus["three"].save()
    assert titles(client.get("/incidents/?sort=-updated"))[0] == "Three"


def test_paging_keeps_filters_and_shows_the_total(client):
    pattern = make_pattern()
    for n in range(30):
        make_incident(pattern, title=f"Paged {n:02d}", date_occurred="2021")
    first = client.get("/incidents/?year=2021")
    html = first.content.decode()
    assert "30 incidents match your filters" in html
    assert len(titles(first)) == 25
    assert 'href="?year=2021&amp;page=2"' in html
    assert len(titles(client.get("/incidents/?year=2021&page=2"))) == 5


@pytest.mark.parametrize(
    "query",
    [
        "page=999999999999999999999",
        "page=-3",
        "page=abc",
        "year=twenty",
        "year=99999",
        "year_from=1e9",
        "severity=apocalyptic",
        "domain=no-such-domain",
        "sector=%3Cscript%3E",
        "sort=random()",
        "pattern_scope=everything",
        "entity=" + "x" * 5000,
    ],
)
def test_bad_input_gives_a_normal_page_with_a_message(client, corpus, query):
    response = client.get(f"/incidents/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "not understood" in html or "showing page" in html
    assert "<script>" not in html


def test_list_query_count_is_fixed(client, corpus, django_assert_num_queries):
    query = "/incidents/?domain=security&sector=sectors-a&sort=severity"
    # 2 filter values looked up, three statements for the 16 facets (the shared
    # set with the number of matches, without the domain, without the sector),
    # the page, the patterns, the domains, the seven dimension vocabularies and
    # the organisations named
    with django_assert_num_queries(16):
        client.get(query)
    pattern = make_pattern(corpus["one"].primary_pattern.domain)
    for n in range(6):
        incident = make_incident(pattern, title=f"More {n}")
        incident.sectors.add(corpus["dims"][Sector], make_dimension(Sector))
        add_entity(incident, name=f"Org {n}")
    with django_assert_num_queries(16):
        client.get(query)


def test_list_works_without_javascript(client, corpus):
    html = client.get("/incidents/").content.decode()
    assert '<form method="get"' in html
    assert "<script" not in html.split("</head>")[1]
