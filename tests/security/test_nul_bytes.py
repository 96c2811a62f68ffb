"""A NUL byte in any parameter is refused with 400 in one place, never a 500."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/glossary.json?category=%00", "category"),
        ("/api/incidents.json?q=a%00b", "q"),
        ("/api/incidents.csv?domain=%00", "domain"),
        ("/api/openapi.json?lang=%00", "lang"),
        ("/api/glossary/x.json?format=%00", "format"),
    ],
)
def test_api_answers_400_json_naming_the_parameter(client, path, name):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == [name]
    assert "NUL" in body[name][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/incidents/?q=%00",
        "/incidents/?domain=%00&year_from=2020",
        "/glossary/?category=%00",
        "/search/?q=deep%00fake",
        "/changes/?type=%00",
        "/?x%00=1",
    ],
)
def test_pages_answer_a_400_page(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"Bad request" in response.content
    assert b"NUL byte" in response.content


@pytest.mark.django_db
def test_a_nul_byte_in_a_posted_form_is_refused(client):
    response = client.post("/admin/login/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
