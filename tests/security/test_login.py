"""Repeated failed logins on the admin lock that username from that address."""

import pytest
from axes.models import AccessAttempt

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def log_in(client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_login_works_and_axes_is_first_backend(client, settings):
    make_user("alice")
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_five_failures_lock_the_login_for_an_hour(client):
    make_user("alice")
    for _ in range(4):
        response = log_in(client, "alice", "wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in (
            response.content.decode()
        )
    response = log_in(client, "alice", "wrong password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "After 5 failed attempts" in page
    assert "<strong>alice</strong>" in page
    assert "for 60 minutes" in page
    assert "Content-Security-Policy" in response

    locked = log_in(client, "alice", PASSWORD)
    assert locked.status_code == 429, "even the right password is refused"
    assert "_auth_user_id" not in client.session


def test_lockout_is_keyed_by_username_and_address(client):
    make_user("alice")
    make_user("bob")
    for _ in range(5):
        log_in(client, "alice", "wrong password")
    assert log_in(client, "alice", PASSWORD, ip="198.51.100.9").status_code == 302
    client.logout()
    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client):
    make_user("alice")
    for _ in range(4):
        log_in(client, "alice", "wrong password")
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username="alice").exists()
    for _ in range(4):
        assert log_in(client, "alice", "wrong password").status_code == 200


def test_proxy_address_is_read_from_the_last_forwarded_hop(client, settings):
    settings.TRUST_PROXY_HEADERS = True
    make_user("alice")
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "alice", "password": "wrong password"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.ip_address == "203.0.113.7"
    other = client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.9",
    )
    assert other.status_code == 302, "a forged first hop does not matter"
