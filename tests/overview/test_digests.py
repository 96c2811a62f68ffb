"""Year digests, home charts, the sitemap and robots.txt."""

import re
import xml.etree.ElementTree as ET

import pytest

from editorial.models import State
from incidents.models import Sector
from overview import charts
from tests.factories import (
    make_dimension,
    make_domain,
    make_incident,
    make_pattern,
    make_term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def years():
    security = make_domain(short_title="Security")
    society = make_domain(short_title="Society")
    injection = make_pattern(security, title="Injection")
    bias = make_pattern(society, title="Bias")
    health = make_dimension(Sector, name="Health")
    # 2023: three published (2 injection, 1 bias); 2024: one; a 2022 draft
    make_incident(injection, date_occurred="2023-01", severity="critical").sectors.add(
        health
    )
    make_incident(injection, date_occurred="2023-06-01", severity="high")
    make_incident(bias, date_occurred="2023", severity="low", resolution="resolved")
    make_incident(bias, date_occurred="2024-02", severity="medium")
    make_incident(bias, date_occurred="2022", state=State.DRAFT)
    return {"security": security, "society": society}


def table_rows(html: str, caption: str) -> list[list[str]]:
    """Return the cells of the table captioned with `caption`, row by row."""
    table = html.split(f"<caption>Numbers for “{caption}”</caption>")[1]
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell)
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_digest_counts_incidents_that_occurred_that_year(client, years):
    response = client.get("/digests/2023/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dt>Incidents</dt><dd>3</dd>" in html
    assert "(2 of 3)" in html  # critical + high
    assert "(1 of 3)" in html  # one resolved
    assert table_rows(html, "Incidents by domain") == [
        ["Security", "2"],
        ["Society", "1"],
    ]
    assert table_rows(html, "Severity") == [
        ["Critical", "1"],
        ["High", "1"],
        ["Medium", "0"],
        ["Low", "1"],
    ]
    assert table_rows(html, "Most frequent threat patterns") == [
        ["Injection", "2"],
        ["Bias", "1"],
    ]
    assert table_rows(html, "Most affected sectors") == [["Health", "1"]]
    assert 'href="/incidents/?year=2023"' in html


def test_digest_links_between_years_and_404s_for_empty_years(client, years):
    html = client.get("/digests/2023/").content.decode()
    assert 'rel="next" href="/digests/2024/"' in html
    assert 'rel="prev"' not in html  # 2022 holds only a draft
    assert client.get("/digests/2022/").status_code == 404
    assert client.get("/digests/1999/").status_code == 404
    assert client.get("/digests/99999999999999999999/").status_code == 404
    assert client.get("/digests/")["Location"] == "/digests/2024/"


def test_home_chart_counts_incidents_per_year_by_domain(client, years):
    html = client.get("/").content.decode()
    assert table_rows(html, "Incidents per year, by domain") == [
        ["2023", "2", "1", "3"],
        ["2024", "0", "1", "1"],
    ]
    assert 'href="/digests/2023/"' in html


def test_charts_are_accessible_svg():
    svg = str(
        charts.bar_chart(
            "c1",
            title="Severity <all>",
            description="Bars & numbers",
            bars=[type("T", (), {"label": "<b>", "value": 3})()],
        )
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Severity <all>"
    assert root.find(f"{ns}desc").text == "Bars & numbers"
    assert "<b>" not in svg
    stacked = str(
        charts.stacked_columns(
            "c2",
            title="Years",
            description="Stacked",
            columns=["2023", "2024"],
            series=["A", "B"],
            values={("2023", "A"): 2, ("2024", "B"): 1},
        )
    )
    assert ET.fromstring(stacked).get("role") == "img"
    assert stacked.count("<rect") == 2 + 2  # two bars, two legend keys


def test_digest_and_home_query_counts_are_fixed(
    client, years, django_assert_num_queries
):
    with django_assert_num_queries(8):
        client.get("/digests/2023/")
    with django_assert_num_queries(15):
        client.get("/")
    pattern = make_pattern(years["security"])
    for _ in range(5):
        make_incident(pattern, date_occurred="2023-09").sectors.add(
            make_dimension(Sector)
        )
        make_term()
    with django_assert_num_queries(8):
        client.get("/digests/2023/")
    with django_assert_num_queries(15):
        client.get("/")


def test_sitemap_lists_published_entries_with_last_updated(client):
    import datetime

    incident = make_incident(last_updated=datetime.date(2024, 3, 9))
    term = make_term(last_updated=datetime.date(2024, 4, 1))
    hidden = make_term(state=State.DRAFT, slug="hidden-term")
    sector = make_dimension(Sector, slug="health")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {
        url.find("s:loc", ns).text.split("testserver", 1)[1]: url.find(
            "s:lastmod", ns
        ).text
        for url in root.findall("s:url", ns)
    }
    assert entries[incident.get_absolute_url()] == "2024-03-09"
    assert entries[term.get_absolute_url()] == "2024-04-01"
    assert incident.primary_pattern.get_absolute_url() in entries
    assert incident.primary_pattern.domain.get_absolute_url() in entries
    assert sector.get_absolute_url() in entries
    assert hidden.get_absolute_url() not in entries


def test_robots_txt_points_at_the_sitemap(client, settings):
    settings.SITE_URL = "https://threatwatch.example"
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: https://threatwatch.example/sitemap.xml" in body
    assert "Disallow: /admin/" in body
