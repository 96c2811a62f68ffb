"""A real Varnish (deploy/varnish/default.vcl) in front of a live app server.

Varnish serves cached public pages itself, a publish purges exactly the pages
showing the change (by xkey tag), readers never see the tag header, and
sessions, the admin and staff are passed through and never stored.
"""

import urllib.error
import urllib.request
import uuid

import pytest
import redis
from django.urls import reverse

from bench.varnish import Varnish
from editorial.roles import AUTHOR, REVIEWER
from tests.factories import make_incident, make_term, make_user, publish_change

REDIS_URL = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def varnish(live_server, settings):
    prefix = f"tw-test-{uuid.uuid4().hex[:12]}"
    settings.PUBLIC_PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    port = int(live_server.url.rsplit(":", 1)[1])
    with Varnish(port) as proxy:
        settings.FRONTEND_CACHE_URLS = [proxy.url + "/"]
        settings.CACHE_TAGS_HEADER = "xkey"
        yield proxy
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def served_by_varnish(url) -> bool:
    return fetch(url)[1].get("X-Varnish-Cache") == "HIT"


def publish_edit(entry, **changes):
    author, reviewer = make_user(role=AUTHOR), make_user(role=REVIEWER)
    publish_change(entry, author=author, reviewer=reviewer, **changes)


def test_varnish_caches_and_a_publish_purges_exactly_the_affected_pages(varnish):
    incident = make_incident(title="Original title")
    other = make_incident(title="Unrelated incident")
    term = make_term(term="Linked term")
    term.related_incidents.add(incident)
    unrelated_term = make_term(term="Lonely term")
    pages = {
        "incident": varnish.url + incident.get_absolute_url(),
        "term": varnish.url + term.get_absolute_url(),
        "list": varnish.url + reverse("incidents:incident_list"),
        "other": varnish.url + other.get_absolute_url(),
        "lonely": varnish.url + unrelated_term.get_absolute_url(),
    }
    for url in pages.values():
        status, headers, _ = fetch(url)
        assert status == 200
        assert headers["X-Varnish-Cache"] == "MISS"
        assert "xkey" not in {name.lower() for name in headers}
        assert "s-maxage=" in headers["Cache-Control"]
        assert "max-age=0," in headers["Cache-Control"]
        assert headers.get("ETag")
    assert all(served_by_varnish(url) for url in pages.values())

    publish_edit(incident, title="Corrected title")

    for name in ("incident", "term", "list"):
        status, headers, body = fetch(pages[name])
        assert headers["X-Varnish-Cache"] == "MISS", name
        assert "Corrected title" in body, name
        assert "Original title" not in body, name
    assert served_by_varnish(pages["other"])
    assert served_by_varnish(pages["lonely"])


def test_sessions_admin_and_cookies_are_never_stored(varnish):
    term = make_term(term="Cookie term")
    url = varnish.url + term.get_absolute_url()
    fetch(url)
    assert served_by_varnish(url)
    # A reader with a session (staff) goes to the app, and is told not to store.
    for _ in range(2):
        status, headers, _ = fetch(url, Cookie="sessionid=abc123")
        assert headers["X-Varnish-Cache"] == "MISS"
        assert "no-store" in headers["Cache-Control"]
        assert "private" in headers["Cache-Control"]
    # The admin login page sets a cookie: passed, never stored.
    for _ in range(2):
        status, headers, _ = fetch(varnish.url + "/admin/login/")
        assert status == 200
        assert headers["X-Varnish-Cache"] == "MISS"
        assert "no-store" in headers["Cache-Control"]
    # Other cookies do not split or bypass the public cache.
    assert fetch(url, Cookie="_ga=1")[1]["X-Varnish-Cache"] == "HIT"
