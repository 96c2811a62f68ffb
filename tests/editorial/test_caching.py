"""Public pages are cached and go stale the moment content is published."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import TestCase

from editorial import services
from editorial.roles import AUTHOR, REVIEWER
from tests.factories import make_term, make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


def _rewrite(term, text, author, reviewer):
    def apply(entry):
        entry.definition = text
        entry.save()

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.edit(term, by=author, apply=apply)
        services.submit(term, by=author)
        services.approve(term, by=reviewer)


@pytest.mark.django_db
def test_anonymous_pages_are_cached_and_revalidated(client, page_cache):
    term = make_term(slug="deepfake", definition="Cached text.")
    first = client.get("/glossary/deepfake/")
    second = client.get("/glossary/deepfake/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert "Cached text." in second.content.decode()
    assert "max-age=0," in second["Cache-Control"]
    assert "s-maxage=" in second["Cache-Control"]
    revalidated = client.get("/glossary/deepfake/", HTTP_IF_NONE_MATCH=second["ETag"])
    assert revalidated.status_code == 304
    assert term.pk


@pytest.mark.django_db
def test_publish_makes_the_next_request_fresh(client, page_cache):
    author, reviewer = make_user(role=AUTHOR), make_user(role=REVIEWER)
    term = make_term(slug="jailbreak", definition="Old text.")
    etag = client.get("/glossary/jailbreak/")["ETag"]
    _rewrite(term, "New text.", author, reviewer)
    response = client.get("/glossary/jailbreak/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["X-Cache"] == "miss"
    assert "New text." in response.content.decode()


@pytest.mark.django_db
def test_staff_and_drafts_are_never_served_from_cache(client, page_cache):
    make_term(slug="agentic-ai")
    client.get("/glossary/agentic-ai/")
    client.force_login(make_user(role=AUTHOR))
    response = client.get("/glossary/agentic-ai/")
    assert "X-Cache" not in response


@pytest.mark.django_db(transaction=True)
def test_publish_in_one_process_invalidates_another_sharing_redis(client, settings):
    prefix = f"tw-test-{uuid.uuid4().hex[:8]}"
    settings.PUBLIC_PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    author, reviewer = make_user(role=AUTHOR), make_user(role=REVIEWER)
    term = make_term(slug="voice-cloning", definition="Before the other server.")
    assert client.get("/glossary/voice-cloning/")["X-Cache"] == "miss"
    assert client.get("/glossary/voice-cloning/")["X-Cache"] == "hit"

    db = connection.settings_dict
    script = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from editorial import services
from glossary.models import Term
User = get_user_model()
term = Term.objects.get(pk={term.pk})
author, reviewer = User.objects.get(pk={author.pk}), User.objects.get(pk={reviewer.pk})
def apply(entry):
    entry.definition = "Published by the other server."
    entry.save()
services.edit(term, by=author, apply=apply)
services.submit(term, by=author)
services.approve(term, by=reviewer)
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120
    )
    response = client.get("/glossary/voice-cloning/")
    assert response["X-Cache"] == "miss"
    assert "Published by the other server." in response.content.decode()


@pytest.mark.django_db
def test_cached_api_answers_carry_cors_and_security_headers(client, page_cache):
    make_term(slug="deepfake")
    assert client.get("/api/glossary.json")["X-Cache"] == "miss"
    response = client.get("/api/glossary.json", HTTP_ORIGIN="https://example.org")
    assert response["X-Cache"] == "hit"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
