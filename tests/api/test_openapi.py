"""The OpenAPI description: one document, served whole under parallel requests,
and a 400 with JSON for a parameter it does not take."""

import json
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import find
from hypothesis import strategies as st

from api import openapi

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["abc", "de", "x" * 300, "../en"])
def test_an_unknown_language_is_a_400_naming_lang(client, value):
    response = client.get("/api/openapi.json", {"lang": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["lang"]
    assert "lang=en" in body["lang"][0]


@pytest.mark.parametrize("query", ["", "?lang=en", "?lang="])
def test_the_description_is_served_without_or_with_its_one_language(client, query):
    response = client.get("/api/openapi.json" + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content)["info"]["title"] == "Threatwatch API"


def test_an_unknown_parameter_is_a_400_naming_it(client):
    response = client.get("/api/openapi.json", {"format": "yaml"})
    assert response.status_code == 400
    assert list(response.json()) == ["format"]


def test_a_client_with_the_current_copy_gets_a_304(client):
    etag = client.get("/api/openapi.json")["ETag"]
    response = client.get("/api/openapi.json", headers={"If-None-Match": etag})
    assert response.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_all_get_the_same_whole_description(live_server):
    # Start from a process that has not built the description yet, so the
    # threads race to build it as the first readers after a deploy would.
    openapi._built = None
    url = live_server.url + "/api/openapi.json"

    def fetch(_):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(48)))
    assert [status for status, _ in results] == [200] * 48
    bodies = {body for _, body in results}
    assert len(bodies) == 1
    assert "/api/incidents.json" in json.loads(bodies.pop())["paths"]


# --- what the description says ------------------------------------------------


def _operations():
    schema = json.loads(openapi.document()[0])
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _concrete(path: str, operation: dict) -> str:
    """Fill the path parameters with the simplest key their pattern allows."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            pattern = parameter["schema"].get("pattern", "^x$")
            key = find(st.from_regex(pattern, fullmatch=True), lambda _: True)
            path = path.replace("{" + parameter["name"] + "}", key)
    return path


def test_every_operation_describes_its_400_and_404_in_json():
    schema = json.loads(openapi.document()[0])
    errors = schema["components"]["schemas"]["Errors"]
    assert errors["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert schema["components"]["schemas"]["NotFound"]["required"] == ["detail"]
    for path, _, operation in _operations():
        responses = operation["responses"]
        shape = responses["400"]["content"]["application/json"]["schema"]
        assert shape == {"$ref": "#/components/schemas/Errors"}, path
        if "{" in path:
            shape = responses["404"]["content"]["application/json"]["schema"]
            assert shape == {"$ref": "#/components/schemas/NotFound"}, path


def test_paging_parameters_state_their_bounds():
    for path, _, operation in _operations():
        parameters = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        for name in ("page", "page_size"):
            if name in parameters:
                assert parameters[name]["minimum"] == 1, (path, name)
        for name in ("year", "year_from", "year_to"):
            if name in parameters:
                assert parameters[name]["minimum"] == 1950, (path, name)
                assert parameters[name]["maximum"] == 2100, (path, name)


def test_every_query_parameter_an_endpoint_takes_is_described(client):
    """An unknown parameter's 400 names the ones the endpoint takes: exactly
    those the description lists for it."""
    for path, method, operation in _operations():
        if method != "get":
            continue
        documented = {
            p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
        }
        response = client.get(_concrete(path, operation), {"no_such_parameter": "1"})
        assert response.status_code == 400, path
        message = response.json()["no_such_parameter"][0]
        taken = (
            set(re.findall(r"use one of (.*)\.$", message)[0].split(", "))
            if "use one of" in message
            else set()
        )
        assert taken == documented, (path, taken ^ documented)


def test_an_address_under_api_that_names_no_endpoint_is_a_json_404(client):
    response = client.get("/api/no-such-thing.json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "/api/openapi.json" in response.json()["detail"]
    response = client.get("/api/incidents/not-a-code.json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
