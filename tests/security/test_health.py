"""The health check, and calm 503 pages when the database is away."""

import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from security.views import server_error
from tests.factories import make_user
from tests.security.production import run_production


def failing_cursor(error: Exception):
    """Patch the default connection so that every query raises `error`."""
    return mock.patch.object(connection, "cursor", side_effect=error)


@pytest.fixture
def client_without_reraise():
    """A client that returns the server's answer instead of raising in the test."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_healthz_reports_database_and_cache_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client):
    with failing_cursor(OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_fails(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "security.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize("url", ["/", "/glossary/", "/incidents/"])
def test_public_page_answers_styled_503_when_the_database_fails(
    client_without_reraise, caplog, url, error
):
    with failing_cursor(error("server closed the connection unexpectedly")):
        with caplog.at_level(logging.WARNING):
            response = client_without_reraise.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    html = response.content.decode()
    assert "Threatwatch is temporarily unavailable" in html
    assert "css/site.css" in html
    assert "Traceback" not in html
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"
    assert not [r for r in caplog.records if "Internal Server Error" in r.message]


@pytest.mark.django_db
def test_admin_answers_503_when_the_database_fails(client_without_reraise):
    client_without_reraise.force_login(make_user("alice"))
    with failing_cursor(OperationalError("connection refused")):
        response = client_without_reraise.get("/admin/")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_reader_gets_503_when_the_session_cannot_load(client_without_reraise):
    client_without_reraise.force_login(make_user("alice"))
    with failing_cursor(OperationalError("connection refused")):
        response = client_without_reraise.get("/glossary/")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"


def test_database_error_outside_a_view_answers_503(rf):
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(rf.get("/glossary/"))
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


@pytest.mark.django_db
def test_api_answers_json_503_when_the_database_fails(client_without_reraise):
    with failing_cursor(OperationalError("connection refused")):
        response = client_without_reraise.get("/api/threats.json")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Content-Type"] == "application/json"
    assert "temporarily unavailable" in response.json()["error"]


@pytest.mark.django_db
def test_other_errors_still_answer_500(client_without_reraise):
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("bug")):
        response = client_without_reraise.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


DOWN_SCRIPT = """
import django
from django.conf import settings
# No collectstatic here: plain storage instead of the production manifest.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
django.setup()
from django.test import Client

from security.views import server_error
from tests.factories import make_user
client = Client(raise_request_exception=False)
for url in ("/", "/glossary/", "/admin/login/", "/api/threats.json", "/healthz"):
    response = client.get(url)
    print(url, response.status_code, response.get("Retry-After", "-"))
"""


def test_site_answers_503_with_the_database_server_down():
    """A real outage: nothing listens on the database port."""
    result = run_production(
        DOWN_SCRIPT, ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "/ 503 120",
        "/glossary/ 503 120",
        "/admin/login/ 200 -",  # the login form needs no database until posted
        "/api/threats.json 503 120",
        "/healthz 503 -",
    ], result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Internal Server Error" not in result.stderr


@pytest.mark.django_db
def test_503_page_survives_a_broken_template(client_without_reraise):
    with (
        failing_cursor(OperationalError("connection refused")),
        mock.patch("security.views.loader.get_template", side_effect=ValueError),
    ):
        response = client_without_reraise.get("/")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
