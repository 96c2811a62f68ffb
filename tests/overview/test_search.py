"""Search: ranking, snippets, type filter, code jump, typo fallback, bad input."""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F

from editorial.models import State
from glossary.models import Term
from overview import search
from tests.factories import make_domain, make_incident, make_pattern, make_term

pytestmark = pytest.mark.django_db


def hit_titles(response) -> list[str]:
    return [hit.title for hit in response.context["hits"]]


@pytest.fixture
def entries():
    domain = make_domain(code="DOM-SEC", title="Security and cyber", slug="sec")
    pattern = make_pattern(
        domain,
        code="PAT-SEC-001",
        title="Prompt Injection",
        tagline="Instructions hidden in content take over a model.",
        definition="Attackers plant text that the model obeys.",
    )
    incident = make_incident(
        pattern,
        code="INC-23-0002",
        date_occurred="2023-02-01",
        title="Search engine chatbot leaks its rules",
        summary="A student used prompt injection to reveal hidden instructions.",
        narrative="The chatbot printed its system prompt.",
    )
    term = make_term(
        term="Jailbreak",
        summary="Talking a model out of its rules.",
        definition="A jailbreak differs from prompt injection in who writes the text.",
    )
    make_term(term="Prompt injection draft", state=State.DRAFT)
    return {"domain": domain, "pattern": pattern, "incident": incident, "term": term}


def test_backend_is_full_text_on_postgresql_and_simple_elsewhere():
    assert search.backend_for("postgresql") == "postgres"
    assert search.backend_for("sqlite") == "simple"
    assert search.backend_for("mysql") == "simple"


def test_results_are_ranked_title_first_and_never_unpublished(client, entries):
    response = client.get("/search/?q=prompt injection")
    assert response.status_code == 200
    titles = hit_titles(response)
    # the title match (weight A) beats summary (B) and body (C) matches
    assert titles[0] == "Prompt Injection"
    assert titles.index("Search engine chatbot leaks its rules") < titles.index(
        "Jailbreak"
    )
    assert "Prompt injection draft" not in titles
    assert response.context["results"].mode == "fulltext"


def test_snippets_highlight_the_words_and_escape_editor_text(client, entries):
    make_term(
        term="Hostile",
        summary="<script>alert(1)</script> about exfiltration",
        definition="<b>bold</b> exfiltration",
    )
    html = client.get("/search/?q=exfiltration").content.decode()
    assert "<mark>exfiltration</mark>" in html
    assert "<script>alert(1)" not in html
    assert "<b>bold" not in html


def test_type_filter_keeps_one_kind_and_shows_counts(client, entries):
    response = client.get("/search/?q=prompt injection&type=term")
    assert hit_titles(response) == ["Jailbreak"]
    html = response.content.decode()
    assert "Incidents (1)" in html and "Threat patterns (1)" in html


@pytest.mark.parametrize(
    ("query", "kind"),
    [("INC-23-0002", "incident"), ("pat-sec-001", "pattern"), (" DOM-SEC ", "domain")],
)
def test_exact_code_jumps_to_the_entry(client, entries, query, kind):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 302
    assert response["Location"] == entries[kind].get_absolute_url()


def test_code_of_an_unpublished_entry_does_not_jump(client, entries):
    make_incident(code="INC-23-0099", date_occurred="2023", state=State.DRAFT)
    response = client.get("/search/?q=INC-23-0099")
    assert response.status_code == 200


def test_typos_fall_back_to_similar_titles(client, entries):
    response = client.get("/search/?q=promt injecton")
    assert response.context["results"].mode == "similar"
    assert hit_titles(response)[0] == "Prompt Injection"
    assert "No exact matches" in response.content.decode()


def test_stop_words_alone_are_not_compared_with_titles(client, entries):
    make_incident(entries["pattern"], title="The chatbot and the rules")
    response = client.get("/search/?q=the and")
    assert response.context["results"].mode == "none"
    html = response.content.decode()
    assert "Nothing published matches" in html
    assert "left out of searches" in html


def test_no_match_says_so(client, entries):
    response = client.get("/search/?q=zzqxv")
    assert response.status_code == 200
    assert "Nothing published matches" in response.content.decode()


def test_simple_backend_matches_substrings_of_published_entries(entries):
    results = search.Results(query="inject")
    search._simple(results, list(search.KINDS.values()))
    titles = [hit.title for hit in results.hits]
    assert "Prompt Injection" in titles
    assert "Search engine chatbot leaks its rules" in titles
    assert "Prompt injection draft" not in titles
    assert results.counts["pattern"] == 1 and results.mode == "simple"


def test_search_uses_the_simple_backend_when_the_database_is_not_postgresql(
    entries, monkeypatch
):
    monkeypatch.setattr(search, "backend_for", lambda vendor: "simple")
    results = search.search("Jailbreak")
    assert results.mode == "simple"
    assert [hit.title for hit in results.hits] == ["Jailbreak"]


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "\x01 DROP TABLE",  # a NUL byte is a 400 (tests/security/test_nul_bytes.py)
        "'); SELECT pg_sleep(10); --",
        "<script>alert(1)</script>",
        "!!! & | ::: ((( ",
        "a:* & !b <-> c",
        "\u202e\ufeff",
        "",
    ],
)
def test_hostile_or_odd_queries_give_a_normal_page(client, entries, query):
    response = client.get("/search/", {"q": query, "page": "999999", "type": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html


def test_overlong_query_is_capped_with_a_message(client, entries):
    response = client.get("/search/", {"q": "prompt " * 100})
    assert len(response.context["results"].query) <= search.MAX_QUERY_LENGTH
    assert "longer than 200 characters" in response.content.decode()


def test_search_query_count_is_fixed(client, entries, django_assert_num_queries):
    # one union of counts, one query per kind with hits (3), one for the snippets
    with django_assert_num_queries(5):
        client.get("/search/?q=prompt injection")
    for n in range(25):
        make_term(term=f"Prompt injection variant {n}")
        make_incident(entries["pattern"], summary="Another prompt injection.")
    with django_assert_num_queries(5):
        client.get("/search/?q=prompt injection")
    with django_assert_num_queries(5):
        client.get("/search/?q=prompt injection&page=2")


def test_ties_in_rank_are_ordered_by_title(client, entries):
    for name in ("Charlie", "Alpha", "Bravo"):
        make_term(term=name, summary="Same words.", definition="About exfiltration.")
    response = client.get("/search/?q=exfiltration&type=term")
    assert hit_titles(response) == ["Alpha", "Bravo", "Charlie"]


def test_every_match_is_ranked_when_few_match(client, entries):
    make_term(term="Exfiltration", summary="Data leaves.", definition="Exfiltration.")
    make_term(term="Leak", summary="Exfiltration of data.", definition="Leaks.")
    make_term(term="Covert channel", definition="Used for exfiltration, slowly.")
    make_term(term="Canary", definition="Catches exfiltration and exfiltration.")
    query = SearchQuery("exfiltration", search_type="websearch", config="english")
    expected = list(
        Term.objects.published()
        .filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "term")
        .values_list("term", flat=True)
    )
    response = client.get("/search/?q=exfiltration&type=term")
    assert hit_titles(response) == expected
    assert expected[0] == "Exfiltration"


def test_many_matches_rank_a_bounded_share_that_keeps_heading_matches(
    client, entries, monkeypatch
):
    monkeypatch.setattr(search, "RANKED_PER_SOURCE", 2)
    for n in range(5):
        make_term(term=f"Body only {n}", definition="It mentions exfiltration.")
    make_term(term="Exfiltration", summary="Data quietly leaves a system.")
    response = client.get("/search/?q=exfiltration&type=term")
    titles = hit_titles(response)
    # two matches as the index finds them, plus the heading matches (one here)
    assert len(titles) == 3
    assert titles[0] == "Exfiltration"
    assert response.context["results"].counts["term"] == 6


def test_counts_stop_at_the_limit_and_say_so(client, entries, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    for _ in range(5):
        make_incident(entries["pattern"], summary="Prompt injection again.")
    response = client.get("/search/?q=prompt injection")
    results = response.context["results"]
    assert results.counts["incident"] == 4
    assert results.count_label("incident") == "3+"
    assert results.count_label("pattern") == "1"
    assert "Incidents (3+)" in response.content.decode()


def test_snippets_are_highlighted_on_every_page(client, entries):
    for n in range(25):
        make_term(term=f"Variant {n:02d}", definition="<i>x</i> exfiltration here.")
    for page in (1, 2):
        response = client.get("/search/", {"q": "exfiltration", "page": page})
        hits = response.context["hits"]
        assert hits and all("<mark>exfiltration</mark>" in hit.snippet for hit in hits)
        assert "<i>x" not in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("term", "glossary_term_heading_gin"),
        ("incident", "incident_published_heading_gin"),
    ],
)
def test_heading_index_has_the_expression_that_search_uses(entries, kind, index):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(%s::regclass, 1, false)", [index])
        expression = cursor.fetchone()[0]
    query = SearchQuery("prompt injection", search_type="websearch", config="english")
    kind = search.KINDS[kind]
    in_heading = (
        kind.model.objects.published()
        .annotate(heading=search.heading_vector(kind))
        .filter(heading=query)
    )
    # the planner matches an index by expression: the same text, deparsed
    assert expression.startswith("to_tsvector(")
    assert expression in in_heading.explain()
