"""Organisations as entries: their pages, the A–Z index, links, filter and API."""

import json
import re

import pytest

from editorial import services
from editorial.models import State
from incidents.models import IncidentEntity, Organisation
from tests.factories import (
    add_entity,
    make_domain,
    make_incident,
    make_organisation,
    make_pattern,
    make_user,
)

pytestmark = pytest.mark.django_db


def _party(incident, organisation, role):
    return IncidentEntity.objects.create(
        incident=incident, organisation=organisation, role=role
    )


@pytest.fixture
def acme():
    """Acme: developer of two incidents, deployer of one, harmed in one."""
    security = make_domain(short_title="Security", slug="security")
    integrity = make_domain(short_title="Integrity", slug="integrity")
    acme = make_organisation(
        name="Acme AI",
        slug="acme-ai",
        aliases="Acme Labs\nACME",
        description="A **maker** of models.",
        website="https://acme.example/",
    )
    first = make_incident(
        make_pattern(security), title="Oldest", date_occurred="2019-04",
        severity="critical",
    )  # fmt: skip
    second = make_incident(
        make_pattern(security), title="Middle", date_occurred="2021-06-01"
    )
    latest = make_incident(
        make_pattern(integrity), title="Newest", date_occurred="2024-02",
        severity="high",
    )  # fmt: skip
    draft = make_incident(title="Secret draft", state=State.DRAFT)
    _party(first, acme, "developer")
    _party(second, acme, "developer")
    _party(second, acme, "deployer")
    _party(latest, acme, "victim")
    _party(draft, acme, "developer")
    return acme


def test_page_groups_incidents_by_every_role_with_figures(client, acme):
    response = client.get("/organisations/acme-ai/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Acme AI</h1>" in html
    assert "Also known as: Acme Labs, ACME" in html
    assert "<strong>maker</strong>" in html
    assert 'href="https://acme.example/"' in html
    assert "<dt>Incidents</dt><dd>3</dd>" in html
    sections = dict(
        re.findall(r'id="role-(\w+)"><h2>.*?</h2>(.*?)</section>', html, re.S)
    )
    assert set(sections) == set(IncidentEntity.Role.values)
    assert re.findall(r"</span> (\w+)</a>", sections["developer"]) == [
        "Middle",
        "Oldest",
    ]
    assert "Middle" in sections["deployer"] and "Newest" in sections["victim"]
    assert "None recorded." in sections["other"]
    assert "Secret draft" not in html
    first = html.split("<dt>First incident</dt>")[1].split("</dd>")[0]
    latest = html.split("<dt>Latest incident</dt>")[1].split("</dd>")[0]
    assert "Oldest" in first and "Newest" in latest
    by_severity = html.split("<h3>By severity</h3>")[1].split("</ul>")[0]
    assert re.findall(r"<li>(\w+) <span class=\"meta\">(\d+)", by_severity) == [
        ("Critical", "1"),
        ("High", "1"),
        ("Medium", "1"),
        ("Low", "0"),
    ]
    by_domain = html.split("<h3>By domain</h3>")[1].split("</ul>")[0]
    tallies = re.findall(r">(\w+)</a> <span class=\"meta\">(\d+)", by_domain)
    assert sorted(tallies) == [("Integrity", "1"), ("Security", "2")]
    assert 'href="/incidents/?entity=acme-ai"' in html


def test_unpublished_organisation_has_no_page(client):
    for state in (State.DRAFT, State.IN_REVIEW, State.ARCHIVED):
        organisation = make_organisation(state=state)
        assert client.get(organisation.get_absolute_url()).status_code == 404


def test_renamed_organisation_redirects_from_its_old_address(client):
    author, reviewer = make_user(role="Author"), make_user(role="Reviewer")
    organisation = make_organisation(name="Old name", slug="old-name")

    def rename(live):
        live.name, live.slug = "New name", "new-name"
        live.save()

    services.edit(organisation, by=author, apply=rename, summary="Renamed")
    services.submit(organisation, by=author)
    assert client.get("/organisations/old-name/").status_code == 200  # pending
    services.approve(Organisation.objects.get(pk=organisation.pk), by=reviewer)
    response = client.get("/organisations/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/organisations/new-name/"
    assert client.get("/organisations/new-name/").status_code == 200


def test_index_lists_published_organisations_a_to_z_with_counts(client, acme):
    make_organisation(name="zeta Systems", slug="zeta")
    make_organisation(name="Hidden Corp", slug="hidden", state=State.DRAFT)
    make_organisation(name="4chan", slug="4chan")
    html = client.get("/organisations/").content.decode()
    assert re.findall(r'<h2 id="letter-([^"]+)">', html) == ["#", "A", "Z"]
    assert 'Acme AI</a> <span class="meta">3 incidents</span>' in html
    assert 'zeta Systems</a> <span class="meta">0 incidents</span>' in html
    assert "Hidden Corp" not in html


def test_incident_page_links_its_published_organisations_only(client):
    incident = make_incident()
    add_entity(incident, name="Open Org", role="developer")
    hidden = make_organisation(name="Draft Org", state=State.DRAFT)
    _party(incident, hidden, "deployer")
    html = client.get(incident.get_absolute_url()).content.decode()
    assert '<a href="/organisations/open-org/">Open Org</a> (developer)' in html
    assert "Draft Org" not in html


def test_incident_list_filter_offers_published_organisations_with_counts(client):
    incident = make_incident()
    add_entity(incident, name="Listed Org")
    _party(incident, make_organisation(name="Unlisted Org", state=State.DRAFT), "other")
    html = client.get("/incidents/").content.decode()
    assert "Listed Org" in html and "Unlisted Org" not in html
    assert client.get("/incidents/?entity=listed-org").status_code == 200
    unlisted = client.get("/incidents/?entity=unlisted-org").content.decode()
    assert "Some filters were not understood" in unlisted


def test_organisation_api_and_graph(client, acme):
    data = json.loads(client.get("/api/organisations/acme-ai.json").content)
    assert data["name"] == "Acme AI"
    assert data["aliases"] == ["Acme Labs", "ACME"]
    assert data["incidents_by_role"]["developer"] == sorted(
        data["incidents_by_role"]["developer"]
    )
    assert len(data["incidents_by_role"]["developer"]) == 2
    assert len(data["incidents_by_role"]["victim"]) == 1
    listing = json.loads(client.get("/api/organisations.json").content)
    assert [(o["slug"], o["incident_count"]) for o in listing["organisations"]] == [
        ("acme-ai", 3)
    ]
    make_organisation(slug="draft-org", state=State.DRAFT)
    assert client.get("/api/organisations/draft-org.json").status_code == 404
    graph = json.loads(client.get("/api/graph.json").content)
    assert any(n["id"] == "organisation:acme-ai" for n in graph["nodes"])
    roles = sorted(
        e["role"] for e in graph["edges"] if e["target"] == "organisation:acme-ai"
    )
    assert roles == ["deployer", "developer", "developer", "victim"]


def _busy_organisation(n: int) -> Organisation:
    organisation = make_organisation()
    for i in range(n):
        pattern = make_pattern(make_domain())
        for role in IncidentEntity.Role.values:
            _party(make_incident(pattern, title=f"Busy {i} {role}"), organisation, role)
    return organisation


def test_organisation_pages_query_counts_are_fixed(client, django_assert_num_queries):
    few, many = _busy_organisation(1), _busy_organisation(12)
    with django_assert_num_queries(9):
        client.get(few.get_absolute_url())
    with django_assert_num_queries(9):
        response = client.get(many.get_absolute_url())
    assert "and 2 more" in response.content.decode()
    with django_assert_num_queries(2):
        client.get("/organisations/")
    _busy_organisation(3)
    with django_assert_num_queries(2):
        client.get("/organisations/")


def test_editors_change_an_organisation_in_the_admin_through_review(client):
    from django.urls import reverse

    from tests.admin_forms import changeform_data

    author, reviewer = make_user(role="Author"), make_user(role="Reviewer")
    organisation = make_organisation(name="Acme", slug="acme", description="Old.")
    url = reverse("admin:incidents_organisation_change", args=[organisation.pk])
    client.force_login(author)
    data = changeform_data(client.get(url))
    data.update(description="New **words**.", change_summary="Describe it")
    assert client.post(url, data).status_code == 302
    assert client.get("/organisations/acme/").content.decode().count("Old.") == 1
    services.submit(organisation, by=author)
    services.approve(Organisation.objects.get(pk=organisation.pk), by=reviewer)
    client.logout()
    assert (
        "New <strong>words</strong>."
        in client.get("/organisations/acme/").content.decode()
    )
    client.force_login(author)
    history = reverse("admin:incidents_organisation_history", args=[organisation.pk])
    assert "Describe it" in client.get(history).content.decode()
