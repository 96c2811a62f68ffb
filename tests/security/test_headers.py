"""Every response carries the security headers: public pages, admin and API."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_term
from tests.security.production import run_production

CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}


def assert_security_headers(response) -> None:
    directives = response["Content-Security-Policy"].split("; ")
    assert set(directives) == CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # Static files too: WhiteNoise answers them before the clickjacking middleware.
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "root", "root@example.org", "correct horse battery"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/glossary/", "/incidents/", "/api/threats.json", "/healthz"]
)
def test_public_and_api_responses_carry_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_term_page_and_not_found_carry_security_headers(client):
    term = make_term()
    assert_security_headers(client.get(term.get_absolute_url()))
    missing = client.get("/glossary/no-such-term/")
    assert missing.status_code == 404
    assert_security_headers(missing)


@pytest.mark.django_db
def test_admin_login_carries_security_headers(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_admin_change_form_carries_security_headers(client, superuser):
    client.force_login(superuser)
    for url in ("/admin/", "/admin/glossary/term/add/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_static_files_carry_security_headers(client, db):
    response = client.get("/static/css/site.css")
    assert_security_headers(response)


PRODUCTION_SCRIPT = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/healthz", secure=True, headers={"host": "example.org"})
for name in ("Strict-Transport-Security", "Content-Security-Policy"):
    print(f"{name}: {response[name]}")
plain = Client().get("/glossary/", headers={"host": "example.org"})
print("redirect:", plain.status_code, plain["Location"])
"""


def test_production_sends_hsts_and_redirects_to_https():
    result = run_production(PRODUCTION_SCRIPT, ALLOWED_HOSTS="example.org,testserver")
    assert result.returncode == 0, result.stderr
    assert (
        "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload"
        in result.stdout
    )
    assert "default-src 'self'" in result.stdout
    assert "redirect: 301 https://example.org/glossary/" in result.stdout
