"""Hypothesis throws hostile query strings at every public list, filter, search
and API parameter: never a server error, never a runaway number of queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.filters import IncidentFilter
from incidents.models import DIMENSIONS
from tests.factories import make_incident, make_sector, make_term

pytestmark = pytest.mark.django_db

# Hostile input must not make a page do pathological work. Timing is measured in
# `make bench`, never here; a page's SQL is the deterministic stand-in.
MAX_QUERIES = 40

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
    incident = make_incident(code="INC-23-0001", date_occurred="2023-03")
    incident.sectors.add(make_sector(slug="healthcare"))
    make_term(term="Prompt Injection", slug="prompt-injection")


def _check(client, path: str, params: dict) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code < 500, (path, params, response.status_code)
    assert len(queries) <= MAX_QUERIES, (path, params, len(queries))


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


# --- NUL bytes, deep nesting and unknown parameters, everywhere ----------------

NUL_VALUES = st.one_of(
    st.text(max_size=10).map(lambda s: s + "\x00"),
    st.text(max_size=10).map(lambda s: "\x00" + s),
    st.sampled_from(["\x00", "a\x00b", "%00", "\x00" * 50]),
)
NESTED_VALUES = st.one_of(
    st.integers(min_value=1, max_value=20_000).map(lambda n: "[" * n),
    st.integers(min_value=1, max_value=5_000).map(lambda n: '{"a":' * n + "1"),
    st.integers(min_value=1, max_value=2_000).map(lambda n: "a" + "[b]" * n),
)
UNKNOWN_NAMES = st.one_of(
    st.sampled_from(["zz", "format", "callback", "a[b][c]", "page[size]", "__proto__"]),
    st.text(min_size=1, max_size=12),
    st.integers(min_value=1, max_value=500).map(lambda n: "x" + "[y]" * n),
)


def public_paths() -> list[str]:
    """Every public address without a parameter in its path, from the URLconf,
    plus one of each API operation with a key filled in."""
    import re

    from django.urls import get_resolver
    from hypothesis import find

    from api import openapi
    from tests.test_access_matrix import walk

    paths = set()
    for route, _name in walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        bare = route.replace("^", "").replace("$", "").replace("\\.", ".")
        if not re.search(r"[<(\[\\*+?]", bare):
            paths.add("/" + bare)
    schema = json.loads(openapi.document()[0])
    for path, item in schema["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["in"] == "path":
                pattern = parameter["schema"].get("pattern", "^x$")
                key = find(st.from_regex(pattern, fullmatch=True), lambda _: True)
                path = path.replace("{" + parameter["name"] + "}", key)
        paths.add(path)
    # Pages with a key in their path, on the entries of `some_content`.
    paths.update(f"/{prefix}/" for prefix in DIMENSIONS)
    paths.update(
        [
            "/glossary/prompt-injection/",
            "/api/glossary/prompt-injection.json",
            "/incidents/INC-23-0001/",
            "/api/incidents/INC-23-0001.json",
            "/sectors/healthcare/",
        ]
    )
    return sorted(paths)


PUBLIC_PATHS = public_paths()


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_nul_bytes_nesting_and_unknown_parameters_on_every_endpoint(
    client, some_content, path
):
    known = ENDPOINTS.get(path, ["page", "q"])
    names = st.one_of(st.sampled_from(known), UNKNOWN_NAMES)

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        params=st.dictionaries(
            names, st.one_of(values, NUL_VALUES, NESTED_VALUES), min_size=1, max_size=3
        ),
        nul_name=st.booleans(),
    )
    def run(params, nul_name):
        if nul_name:
            params = {**params, "na\x00me": "1"}
        response = client.get(path, params)
        assert response.status_code < 500, (path, params, response.status_code)
        if nul_name or any("\x00" in str(v) for v in params.values()):
            assert response.status_code == 400, (path, params)
            if path.startswith("/api/"):
                assert response["Content-Type"].startswith("application/json")

    run()


# --- the importer -------------------------------------------------------------

FIELD_NAMES = ["term", "summary", "definition", "id", "title", "domain_code",
               "pattern_code", "terms", "incidents", "domains", "vocabularies",
               "category", "why_it_occurs", "pending", "slug"]  # fmt: skip
json_text = st.text(max_size=20) | NUL_VALUES
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | json_text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | json_text, inner, max_size=5)
    ),
    max_leaves=25,
)


def _nested(n: int, opener: str, closer: str, core: str = "") -> str:
    return opener * n + core + closer * n


documents = st.one_of(
    json_values.map(lambda v: ("fuzz.json", json.dumps(v))),
    json_values.map(lambda v: ("fuzz.json", json.dumps({"terms": [v]}))),
    st.integers(min_value=1, max_value=100_000).map(
        lambda n: ("deep.json", _nested(n, "[", "]"))
    ),
    st.integers(min_value=1, max_value=50_000).map(
        lambda n: ("deep.json", '{"terms": ' + _nested(n, "[", "]") + "}")
    ),
    st.integers(min_value=1, max_value=30_000).map(
        lambda n: ("deep.json", _nested(n, '{"a": ', "}", "1"))
    ),
    st.text(max_size=200).map(lambda t: ("fuzz.txt", t)),
    NUL_VALUES.map(lambda t: ("fuzz.txt", "Term\nSummary.\nDefinition\n" + t)),
)


@given(document=documents)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_importer_lists_problems_for_any_input_and_writes_nothing(document):
    from exchange import importer, sources
    from glossary.models import Term

    name, text = document
    terms_before = Term.objects.count()
    items, problems = sources.read_source(name, text.encode())
    try:
        importer.run(items, read_problems=problems, dry_run=True)
    except importer.ImportFailed as failed:
        assert failed.problems
        assert all(str(p).startswith(f"{name}") for p in failed.problems)
    assert Term.objects.count() == terms_before
