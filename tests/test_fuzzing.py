"""Hypothesis throws hostile query strings at every public list, filter, search
and API parameter: never a server error, never a slow query."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.filters import IncidentFilter
from tests.factories import make_incident, make_sector, make_term

pytestmark = pytest.mark.django_db

SLOW = 1.0  # seconds

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=600),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ["", "0", "-1", "1e9", "NaN", "2023", "9999", "../../etc", "' OR 1=1 --",
         "\x00", "%00", "<script>", "a" * 5000, "INC-23-0001", "DOM-SEC", "😀"]
    ),
)  # fmt: skip

INCIDENT_PARAMS = [*IncidentFilter.base_filters, "page"]
ENDPOINTS = {
    "/incidents/": INCIDENT_PARAMS,
    "/api/incidents.json": [*INCIDENT_PARAMS, "page_size"],
    "/api/incidents.csv": INCIDENT_PARAMS,
    "/api/glossary.json": ["page", "page_size"],
    "/api/threats.json": ["page"],
    "/glossary/": ["category", "letter", "page"],
    "/search/": ["q", "type", "page"],
    "/changes/": ["minor", "page"],
    "/sectors/": ["page"],
    "/taxonomy/": ["page"],
}


@pytest.fixture
def some_content():
    incident = make_incident(date_occurred="2023-03")
    incident.sectors.add(make_sector(slug="healthcare"))
    make_term(term="Prompt Injection", slug="prompt-injection")


def _check(client, path: str, params: dict) -> None:
    started = time.perf_counter()
    response = client.get(path, params)
    elapsed = time.perf_counter() - started
    assert response.status_code < 500, (path, params, response.status_code)
    assert elapsed < SLOW, (path, params, f"{elapsed:.2f}s")


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_hostile_query_strings_never_break_a_page(client, some_content, path):
    names = ENDPOINTS[path]

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.dictionaries(st.sampled_from(names), values, max_size=4))
    def run(params):
        _check(client, path, params)

    run()


@given(year=st.integers(min_value=-(10**6), max_value=10**6))
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_digest_year_is_a_page_or_a_404(client, year):
    response = client.get(f"/digests/{abs(year)}/")
    assert response.status_code in (200, 404)


@given(path=st.text(min_size=1, max_size=60))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_path_under_the_public_prefixes_is_not_a_server_error(client, path):
    for prefix in ("/glossary/", "/incidents/", "/patterns/", "/api/glossary/"):
        response = client.get(prefix + path)
        assert response.status_code < 500, (prefix, path)
