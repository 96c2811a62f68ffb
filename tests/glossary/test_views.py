import pytest

from editorial.models import State
from tests.factories import make_category, make_incident, make_pattern, make_term

pytestmark = pytest.mark.django_db


def test_term_page_shows_sections_in_the_seed_order(client):
    term = make_term(
        term="Prompt Injection",
        definition="Planted *instructions*.",
        relation_to_threats="First step of tool misuse.",
        why_it_occurs="- Instructions and data share a channel\n- Models obey text",
        real_world_context="Seen in INC-23-0001.",
    )
    incident = make_incident(title="System prompt disclosed")
    pattern = make_pattern(title="Tool Misuse & Privilege Escalation")
    other = make_term(term="Jailbreak")
    term.related_incidents.add(incident)
    term.related_patterns.add(pattern)
    term.related_terms.add(other)
    html = client.get(term.get_absolute_url()).content.decode()
    headings = [
        "Definition",
        "How It Relates to AI Threats",
        "Why It Occurs",
        "Real-World Context",
        "Related Incidents",
        "Related Threat Patterns",
        "Related Terms",
        "Last updated:",
    ]
    positions = [html.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "<em>instructions</em>" in html
    assert "<li>Instructions and data share a channel</li>" in html
    assert "System prompt disclosed" in html
    assert "Tool Misuse &amp; Privilege Escalation" in html
    assert '"@type": "DefinedTerm"' in html and "DefinedTermSet" in html


def test_related_terms_show_on_both_terms(client):
    one, two = make_term(term="Deepfake"), make_term(term="Voice Cloning")
    one.related_terms.add(two)
    assert "Deepfake" in client.get(two.get_absolute_url()).content.decode()


def test_markdown_is_sanitised(client):
    term = make_term(
        definition="<script>alert(1)</script> [x](javascript:alert(2)) "
        "<img src=x onerror=alert(3)>"
    )
    html = client.get(term.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert "<img" not in html


def test_unpublished_term_is_404(client):
    for state in (State.DRAFT, State.IN_REVIEW, State.ARCHIVED):
        assert client.get(make_term(state=state).get_absolute_url()).status_code == 404


def test_term_page_query_count_is_fixed(client, django_assert_num_queries):
    term = make_term()
    with django_assert_num_queries(7):
        client.get(term.get_absolute_url())
    for _ in range(4):
        term.related_terms.add(make_term())
        term.related_incidents.add(make_incident())
        term.related_patterns.add(make_pattern())
    with django_assert_num_queries(7):
        client.get(term.get_absolute_url())


def test_glossary_index_groups_terms_by_letter_and_filters(client):
    attack = make_category(name="Attack Technique", slug="attack-technique")
    make_term(
        term="Jailbreak", category=attack, summary="Talking a model out of its rules."
    )
    make_term(term="Agentic AI")
    make_term(term="Zero-day draft", state=State.DRAFT)
    html = client.get("/glossary/").content.decode()
    assert 'href="#letter-A"' in html and 'href="#letter-J"' in html
    assert 'href="#letter-Z"' not in html
    assert "Talking a model out of its rules." in html
    assert "Zero-day draft" not in html
    filtered = client.get("/glossary/?category=attack-technique").content.decode()
    assert "Jailbreak" in filtered and "Agentic AI" not in filtered


def test_glossary_index_query_count_is_fixed(client, django_assert_num_queries):
    make_term()
    with django_assert_num_queries(2):
        client.get("/glossary/")
    for _ in range(5):
        make_term()
    with django_assert_num_queries(2):
        client.get("/glossary/")
