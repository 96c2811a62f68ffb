import pytest
from django.urls import reverse

from editorial.models import State
from incidents.stats import pattern_figures
from tests.factories import (
    add_entity,
    add_source,
    make_affected_group,
    make_domain,
    make_incident,
    make_pattern,
    make_sector,
    make_term,
)

pytestmark = pytest.mark.django_db


def test_published_incident_page_shows_its_content(client):
    incident = make_incident(
        title="Chatbot invents a refund policy",
        narrative="The bot made it up [1].",
        date_occurred="2022-11-11",
    )
    add_source(incident, title="Tribunal decision")
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chatbot invents a refund policy" in html
    assert 'href="#source-1"' in html
    assert 'id="source-1"' in html
    assert f'Last updated: <time datetime="{incident.last_updated:%Y-%m-%d}">' in html
    assert '"@type": "Article"' in html


def test_unpublished_incident_is_404(client):
    for state in (State.DRAFT, State.IN_REVIEW, State.ARCHIVED):
        incident = make_incident(state=state)
        url = reverse(
            "incidents:incident_detail",
            kwargs={"code": incident.code, "slug": incident.slug},
        )
        assert client.get(url).status_code == 404


def test_code_only_url_redirects_permanently(client):
    incident = make_incident()
    response = client.get(f"/incidents/{incident.code}/")
    assert response.status_code == 301
    assert response["Location"] == incident.get_absolute_url()


def test_old_slug_redirects_to_the_current_one(client):
    incident = make_incident(slug="first-name")
    incident.slug = "better-name"
    incident.save()
    response = client.get(f"/incidents/{incident.code}-first-name/")
    assert response.status_code == 301
    assert response["Location"] == f"/incidents/{incident.code}-better-name/"


def test_unknown_url_is_a_styled_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_incident_page_hides_unpublished_related_entries(client):
    incident = make_incident()
    draft_pattern = make_pattern(title="Secret draft pattern", state=State.DRAFT)
    incident.secondary_patterns.add(draft_pattern)
    incident.sectors.add(make_sector(name="Hidden sector", state=State.DRAFT))
    draft_term = make_term(term="Unreleased term", state=State.DRAFT)
    draft_term.related_incidents.add(incident)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "Secret draft pattern" not in html
    assert "Hidden sector" not in html
    assert "Unreleased term" not in html


def _incident_with_relations(pattern, n):
    incident = make_incident(pattern)
    for i in range(n):
        add_source(incident, title=f"Source {i}")
        add_entity(incident, name=f"Org {incident.pk}-{i}")
        incident.sectors.add(make_sector())
        incident.affected_groups.add(make_affected_group())
        incident.secondary_patterns.add(make_pattern(pattern.domain))
        make_term().related_incidents.add(incident)
    return incident


def test_incident_page_query_count_is_fixed(client, django_assert_num_queries):
    pattern = make_pattern()
    few = _incident_with_relations(pattern, 1)
    many = _incident_with_relations(pattern, 6)
    many.pinned_similar.add(few, make_incident(pattern))
    many.hidden_similar.add(make_incident(pattern))
    make_incident(pattern)  # still a suggestion for both
    with django_assert_num_queries(19):
        client.get(few.get_absolute_url())
    with django_assert_num_queries(19):
        client.get(many.get_absolute_url())


def test_domain_page_shows_patterns_and_figures(client):
    domain = make_domain(title="Security and cyber")
    pattern = make_pattern(domain, title="Prompt injection")
    make_incident(pattern, severity="critical", resolution="resolved")
    make_incident(pattern, severity="low")
    make_incident(pattern, severity="low", state=State.DRAFT)
    make_pattern(domain, title="Draft pattern", state=State.DRAFT)
    html = client.get(domain.get_absolute_url()).content.decode()
    assert "Prompt injection" in html
    assert "Draft pattern" not in html
    assert "View all 2 incidents" in html
    assert "50%" in html  # one of two is critical, one of two resolved


def test_domain_page_query_count_is_fixed(client, django_assert_num_queries):
    domain = make_domain()
    with django_assert_num_queries(5):
        client.get(domain.get_absolute_url())
    for _ in range(4):
        make_incident(make_pattern(domain))
    with django_assert_num_queries(5):
        client.get(domain.get_absolute_url())


def test_pattern_page_lists_top_incidents_by_severity(client):
    pattern = make_pattern(title="Deepfake identity hijacking")
    for severity in ("low", "medium", "critical", "high", "low", "medium"):
        make_incident(pattern, severity=severity, title=f"A {severity} one")
    html = client.get(pattern.get_absolute_url()).content.decode()
    assert "View all 6 incidents" in html
    assert (
        html.index("A critical one")
        < html.index("A high one")
        < html.index("A medium one")
    )


def test_pattern_figures_count_each_involved_incident_once():
    pattern, other = make_pattern(), make_pattern()
    make_incident(pattern, severity="critical", resolution="resolved")
    make_incident(other, severity="high").secondary_patterns.add(pattern)
    both = make_incident(pattern, severity="low")
    both.secondary_patterns.add(pattern, other)
    make_incident(other, severity="high")  # not involved
    make_incident(pattern, severity="high", state=State.DRAFT)  # never counted
    make_incident(other, state=State.DRAFT).secondary_patterns.add(pattern)
    figures = pattern_figures(pattern)
    assert (figures.total, figures.high_or_critical, figures.resolved) == (3, 2, 1)
    assert pattern_figures(other).total == 3


def test_pattern_page_query_count_is_fixed(client, django_assert_num_queries):
    pattern = make_pattern()
    with django_assert_num_queries(9):
        client.get(pattern.get_absolute_url())
    for _ in range(3):
        pattern.related_patterns.add(make_pattern())
        pattern.sectors.add(make_sector())
        make_term().related_patterns.add(pattern)
        make_incident(pattern)
    with django_assert_num_queries(9):
        client.get(pattern.get_absolute_url())


def test_unpublished_pattern_and_domain_are_404(client):
    pattern = make_pattern(state=State.DRAFT)
    domain = make_domain(state=State.ARCHIVED)
    assert client.get(pattern.get_absolute_url()).status_code == 404
    assert client.get(domain.get_absolute_url()).status_code == 404


def test_incident_list_shows_only_published_and_filters(
    client, django_assert_num_queries
):
    domain = make_domain(slug="security-cyber")
    pattern = make_pattern(domain)
    make_incident(pattern, title="Visible one", date_occurred="2024-01")
    make_incident(make_pattern(), title="Elsewhere", date_occurred="2023")
    make_incident(pattern, title="Draft one", state=State.DRAFT)
    html = client.get("/incidents/").content.decode()
    assert "Visible one" in html and "Elsewhere" in html
    assert "Draft one" not in html
    filtered = client.get("/incidents/?domain=security-cyber").content.decode()
    assert "Visible one" in filtered and "Elsewhere" not in filtered
    by_year = client.get("/incidents/?year=2023").content.decode()
    assert "Elsewhere" in by_year and "Visible one" not in by_year
    for _ in range(5):
        make_incident(pattern)
    # one statement for all 16 facets and the number of matches (no filter is
    # active), the page, the patterns, the domains, the seven dimension
    # vocabularies and the organisations named
    with django_assert_num_queries(11):
        client.get("/incidents/")


def test_dimension_pages(client, django_assert_num_queries):
    sector = make_sector(name="Healthcare", slug="healthcare")
    hidden = make_sector(name="Hidden sector", state=State.DRAFT)
    incident = make_incident(title="Hospital triage failure")
    incident.sectors.add(sector)
    index = client.get("/sectors/").content.decode()
    assert "Healthcare" in index and "Hidden sector" not in index
    detail = client.get("/sectors/healthcare/").content.decode()
    assert "Hospital triage failure" in detail
    assert client.get(f"/sectors/{hidden.slug}/").status_code == 404
    assert client.get("/unknown-dimension/x/").status_code == 404
    for _ in range(4):
        make_incident().sectors.add(sector)
    with django_assert_num_queries(4):
        client.get("/sectors/healthcare/")


def test_incident_list_offers_the_filtered_list_as_csv_and_json(client):
    make_incident(make_pattern(make_domain(slug="security-cyber")))
    html = client.get("/incidents/?domain=security-cyber").content.decode()
    assert 'href="/api/incidents.csv?domain=security-cyber"' in html
    assert 'href="/api/incidents.json?domain=security-cyber"' in html


def test_entry_pages_link_to_their_published_versions(client):
    term = make_term()
    html = client.get(term.get_absolute_url()).content.decode()
    assert f'href="/changes/glossary.term/{term.pk}/"' in html
    assert "First published:" in html
