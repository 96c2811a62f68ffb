"""The public JSON API: shapes of PRODUCT.md section 5, published content only."""

import csv
import io
import json

import pytest

from editorial import services
from editorial.models import State
from tests.factories import (
    add_entity,
    make_domain,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = [
    "/api/threats.json",
    "/api/incidents.json",
    "/api/glossary.json",
    "/api/graph.json",
    "/api/citations.json",
    "/api/organisations.json",
]
META_KEYS = {"name", "version", "generated", "totals", "license"}


def get_json(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_threats_json_has_the_documented_shape(client, knowledge_base):
    data = get_json(client, "/api/threats.json")
    assert META_KEYS <= set(data["_meta"])
    assert data["_meta"]["totals"] == {"domains": 2, "patterns": 2}
    domain = data["domains"][0]
    assert {
        "domain_code",
        "title",
        "slug",
        "definition",
        "url",
        "last_updated",
        "framework_mapping",
        "sub_categories",
    } <= set(domain)
    assert domain["domain_code"] == "DOM-INF"
    assert domain["url"].endswith("/domains/information-integrity/")
    pattern = domain["sub_categories"][0]
    assert {
        "pattern_code",
        "title",
        "slug",
        "definition",
        "severity",
        "likelihood",
        "url",
        "roles_affected",
        "sectors_affected",
    } <= set(pattern)
    assert pattern["roles_affected"] == ["public"]
    assert pattern["sectors_affected"] == ["health"]
    assert pattern["related_patterns"] == ["PAT-SEC-001"]
    assert pattern["framework_mapping"] == {"eu-ai-act": "Article 50"}


def test_incidents_json_has_the_documented_shape(client, knowledge_base):
    data = get_json(client, "/api/incidents.json?sort=code")
    assert META_KEYS <= set(data["_meta"])
    assert data["_meta"]["count"] == 2
    incident = data["incidents"][0]
    assert {
        "id",
        "title",
        "slug",
        "url",
        "status",
        "severity",
        "evidence_level",
        "date_occurred",
        "last_updated",
        "regions",
        "sectors",
        "affected_groups",
        "roles_involved",
        "threat_patterns",
        "sources",
        "outcomes",
    } <= set(incident)
    assert incident["id"] == "INC-23-0001"
    assert incident["threat_patterns"] == {
        "primary": {"domain": "DOM-INF", "pattern": "PAT-INF-001"},
        "secondary": [{"domain": "DOM-SEC", "pattern": "PAT-SEC-001"}],
    }
    assert incident["regions"] == ["europe"]
    assert incident["sources"] == [
        {
            "title": "The report",
            "publisher": "A publisher",
            "type": "journalism",
            "date": "2023-04",
            "url": "https://example.org/report",
        }
    ]
    assert incident["roles_involved"] == [
        {"organisation": "Acme", "role": "developer", "qualifier": ""}
    ]
    assert set(incident["outcomes"]) == {"financial_loss", "regulatory_action", "other"}


def test_glossary_json_has_every_section_and_relation(client, knowledge_base):
    data = get_json(client, "/api/glossary.json")
    term = next(t for t in data["terms"] if t["slug"] == "deepfake")
    assert {
        "term",
        "slug",
        "url",
        "category",
        "summary",
        "definition",
        "relation_to_threats",
        "why_it_occurs",
        "real_world_context",
        "related_incidents",
        "related_patterns",
        "related_domains",
        "related_terms",
        "same_as",
        "last_updated",
    } == set(term)
    assert term["related_incidents"] == ["INC-23-0001"]
    assert term["related_patterns"] == ["PAT-INF-001"]
    assert term["related_terms"] == ["voice-cloning"]


def test_graph_json_names_nodes_and_edges_as_documented(client, knowledge_base):
    data = get_json(client, "/api/graph.json")
    ids = {node["id"]: node for node in data["nodes"]}
    assert {
        "domain:DOM-INF",
        "sub:DOM-INF-disinformation",
        "incident:INC-23-0001",
        "glossary:deepfake",
    } <= set(ids)
    edges = {(e["source"], e["target"], e["type"]) for e in data["edges"]}
    assert {
        ("domain:DOM-INF", "sub:DOM-INF-disinformation", "has_pattern"),
        ("incident:INC-23-0001", "domain:DOM-INF", "belongs_to"),
        ("incident:INC-23-0001", "sub:DOM-INF-disinformation", "primary_pattern"),
        ("incident:INC-23-0001", "sub:DOM-SEC-prompt-attacks", "secondary_pattern"),
        ("incident:INC-23-0001", "glossary:deepfake", "references_term"),
        ("glossary:deepfake", "sub:DOM-INF-disinformation", "explains"),
        ("sub:DOM-INF-disinformation", "sub:DOM-SEC-prompt-attacks", "related_pattern"),
        ("glossary:deepfake", "glossary:voice-cloning", "related_term"),
    } <= edges
    degree = sum(
        1 for e in data["edges"] if "glossary:deepfake" in (e["source"], e["target"])
    )
    assert ids["glossary:deepfake"]["degree"] == degree
    assert any("PAT-SEC-001" in w for w in data["_meta"]["warnings"]) is False
    make_pattern(knowledge_base["domain"], code="PAT-INF-009", title="Lonely")
    warnings = get_json(client, "/api/graph.json")["_meta"]["warnings"]
    assert any("PAT-INF-009" in w and "no published incidents" in w for w in warnings)


def test_per_entry_endpoints_return_one_published_entry(client, knowledge_base):
    assert get_json(client, "/api/incidents/INC-23-0001.json")["id"] == "INC-23-0001"
    assert get_json(client, "/api/glossary/deepfake.json")["term"] == "Deepfake"
    pattern = get_json(client, "/api/patterns/PAT-INF-001.json")
    assert pattern["pattern_code"] == "PAT-INF-001"
    domain = get_json(client, "/api/domains/DOM-INF.json")
    assert domain["sub_categories"][0]["pattern_code"] == "PAT-INF-001"
    missing = client.get("/api/incidents/INC-99-0001.json")
    assert missing.status_code == 404
    assert "detail" in missing.json()


def _every_endpoint(knowledge_base):
    return [
        *LIST_ENDPOINTS,
        "/api/incidents.csv",
        "/api/incidents/INC-23-0001.json",
        "/api/incidents/INC-23-0099.json",
        "/api/glossary/deepfake.json",
        "/api/glossary/secret-term.json",
        "/api/patterns/PAT-INF-001.json",
        "/api/patterns/PAT-INF-099.json",
        "/api/domains/DOM-INF.json",
        "/api/domains/DOM-ZZZ.json",
    ]


def test_unpublished_content_never_appears_in_any_endpoint(client, knowledge_base):
    marker = "ZQXMARKER"
    user = make_user()
    make_term(state=State.DRAFT, term=f"{marker} term", slug="secret-term")
    draft_domain = make_domain(state=State.DRAFT, code="DOM-ZZZ", title=marker)
    make_pattern(
        knowledge_base["domain"], state=State.DRAFT, code="PAT-INF-099", title=marker
    )
    make_pattern(draft_domain, title=f"{marker} under a draft domain")
    make_incident(
        knowledge_base["pattern"],
        state=State.IN_REVIEW,
        code="INC-23-0099",
        title=marker,
    )
    knowledge_base["term"].related_terms.add(
        make_term(state=State.DRAFT, term="Hidden", slug=f"{marker.lower()}-hidden")
    )

    def pending(entry):
        entry.title = f"{marker} pending title"
        entry.save()

    def pending_term(entry):
        entry.definition = f"{marker} pending definition"
        entry.save()

    services.edit(knowledge_base["incident"], by=user, apply=pending)
    services.edit(knowledge_base["term"], by=user, apply=pending_term)
    services.edit(knowledge_base["pattern"], by=user, apply=pending)
    for url in _every_endpoint(knowledge_base):
        body = client.get(url).content.decode()
        assert marker.lower() not in body.lower(), url


def test_etag_revalidation_returns_304(client, knowledge_base):
    for url in [*LIST_ENDPOINTS, "/api/incidents.csv", "/api/glossary/deepfake.json"]:
        first = client.get(url)
        assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
        etag = first["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
    last_modified = client.get("/api/threats.json")["Last-Modified"]
    again = client.get("/api/threats.json", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert again.status_code == 304


def test_changed_content_gets_a_new_etag(client, knowledge_base):
    etag = client.get("/api/threats.json")["ETag"]
    make_pattern(knowledge_base["domain"], code="PAT-INF-005")
    response = client.get("/api/threats.json", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_api_is_open_to_every_origin(client, knowledge_base):
    response = client.get("/api/threats.json", HTTP_ORIGIN="https://example.com")
    assert response["Access-Control-Allow-Origin"] == "*"
    page = client.get("/glossary/", HTTP_ORIGIN="https://example.com")
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("severity=huge", "severity"),
        ("domain=no-such-domain", "domain"),
        ("year=abc", "year"),
        ("severty=high", "severty"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=99", "page"),
        ("page_size=-5", "page_size"),
    ],
)
def test_bad_parameters_get_400_with_a_json_body(
    client, knowledge_base, query, parameter
):
    response = client.get(f"/api/incidents.json?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_glossary_refuses_an_unknown_category(client, knowledge_base):
    response = client.get("/api/glossary.json?category=nope")
    assert response.status_code == 400
    assert "category" in response.json()


def test_incident_list_takes_the_html_list_filters(client, knowledge_base):
    data = get_json(client, "/api/incidents.json?severity=critical")
    assert [i["id"] for i in data["incidents"]] == ["INC-23-0001"]
    data = get_json(client, "/api/incidents.json?year=2024")
    assert [i["id"] for i in data["incidents"]] == ["INC-24-0001"]
    data = get_json(client, "/api/incidents.json?domain=information-integrity")
    assert data["_meta"]["count"] == 2


def test_incident_list_is_paged_and_page_size_is_capped(client, knowledge_base):
    data = get_json(client, "/api/incidents.json?page_size=1&sort=code")
    assert data["_meta"]["pages"] == 2
    assert [i["id"] for i in data["incidents"]] == ["INC-23-0001"]
    assert "page=2" in data["_meta"]["next"]
    second = get_json(client, "/api/incidents.json?page_size=1&page=2&sort=code")
    assert [i["id"] for i in second["incidents"]] == ["INC-24-0001"]
    capped = get_json(client, "/api/incidents.json?page_size=100000")
    assert capped["_meta"]["page_size"] == 500


def test_a_page_holds_25_incidents_unless_asked_for_more(client, knowledge_base):
    for n in range(30):
        make_incident(knowledge_base["pattern"], title=f"Paged {n}")
    data = get_json(client, "/api/incidents.json")
    assert (len(data["incidents"]), data["_meta"]["page_size"]) == (25, 25)
    assert data["_meta"]["count"] == 32 and data["_meta"]["pages"] == 2
    assert len(get_json(client, "/api/incidents.json?page_size=40")["incidents"]) == 32


def test_incident_csv_has_a_row_per_filtered_incident(client, knowledge_base):
    make_incident(knowledge_base["pattern"], title="=HYPERLINK(1)", severity="low")
    response = client.get("/api/incidents.csv?sort=code")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["id"] for r in rows][:2] == ["INC-23-0001", "INC-23-0002"]
    assert rows[0]["primary_pattern"] == "PAT-INF-001"
    assert rows[0]["secondary_patterns"] == "PAT-SEC-001"
    assert rows[1]["title"] == "'=HYPERLINK(1)"
    filtered = client.get("/api/incidents.csv?severity=critical").content.decode()
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == 1
    assert client.get("/api/incidents.csv?severity=huge").status_code == 400


def _grow(knowledge_base, count):
    pattern = knowledge_base["pattern"]
    for n in range(count):
        incident = make_incident(pattern, code=f"INC-22-{n + 1:04d}")
        incident.sectors.add(*pattern.sectors.all())
        incident.secondary_patterns.add(*pattern.related_patterns.all())
        add_entity(incident, "Acme", "deployer")
        add_entity(incident, f"Grown {n}", "victim")
        term = make_term()
        term.related_incidents.add(incident)
        term.related_patterns.add(pattern)
        make_pattern(knowledge_base["domain"], code=f"PAT-INF-{n + 200:03d}")


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/threats.json", 8),
        ("/api/incidents.json", 14),
        ("/api/incidents.json?severity=critical&sector=health", 15),
        ("/api/incidents.csv", 13),
        ("/api/glossary.json", 6),
        ("/api/graph.json", 14),
        ("/api/incidents/INC-23-0001.json", 13),
        ("/api/organisations.json", 1),
        ("/api/citations.json", 5),
        ("/api/organisations/acme.json", 2),
        ("/api/glossary/deepfake.json", 5),
        ("/api/domains/DOM-INF.json", 8),
        ("/api/patterns/PAT-INF-001.json", 6),
    ],
)
def test_query_count_is_fixed_whatever_the_size(
    client, knowledge_base, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(queries):
        client.get(url)
    _grow(knowledge_base, 5)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_openapi_description_documents_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "Threatwatch API"
    paths = schema["paths"]
    for path in (
        "/api/threats.json",
        "/api/incidents.json",
        "/api/incidents.csv",
        "/api/glossary.json",
        "/api/graph.json",
        "/api/citations.json",
        "/api/organisations.json",
    ):
        assert path in paths
    parameters = {p["name"] for p in paths["/api/incidents.json"]["get"]["parameters"]}
    assert {"severity", "domain", "year", "page", "page_size"} <= parameters


def test_api_page_explains_the_api_with_curl_examples(client):
    html = client.get("/api/").content.decode()
    assert "curl -s" in html
    assert "/api/openapi.json" in html
    assert "If-None-Match" in html
    assert "<code>severity</code>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["¹", "٣", "1e3", "99999999999999999999"])
def test_page_numbers_that_only_look_like_digits_are_a_400(client, value):
    response = client.get("/api/glossary.json", {"page": value})
    assert response.status_code == 400
    assert "page" in response.json()
