"""The OpenAPI description: one document, served whole under parallel requests,
and a 400 with JSON for a parameter it does not take."""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

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
