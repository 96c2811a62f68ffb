import pytest

from editorial.models import State
from tests.factories import make_domain, make_incident, make_pattern, make_term

pytestmark = pytest.mark.django_db


def test_home_page_counts_only_published_entries(client):
    domain = make_domain(title="Information integrity")
    pattern = make_pattern(domain)
    make_incident(pattern, title="Voice clone robocall")
    make_incident(pattern, title="Draft incident", state=State.DRAFT)
    make_term(term="Deepfake")
    make_term(term="Draft term", state=State.DRAFT)
    html = client.get("/").content.decode()
    assert "Voice clone robocall" in html
    assert "Information integrity" in html
    assert "Draft incident" not in html and "Draft term" not in html
    assert "<strong>1</strong> incidents" in html


def test_home_page_query_count_is_fixed(client, django_assert_num_queries):
    make_incident()
    with django_assert_num_queries(15):
        client.get("/")
    for _ in range(8):
        make_incident()
        make_term()
    with django_assert_num_queries(15):
        client.get("/")


def test_taxonomy_lists_domains_with_counts_and_dimensions(
    client, django_assert_num_queries
):
    domain = make_domain(title="Privacy and surveillance")
    make_incident(make_pattern(domain))
    make_domain(title="Hidden domain", state=State.DRAFT)
    html = client.get("/taxonomy/").content.decode()
    assert "Privacy and surveillance" in html
    assert "Hidden domain" not in html
    assert "Affected groups" in html and "Causal factors" in html
    with django_assert_num_queries(8):
        client.get("/taxonomy/")
