"""Cached public pages that go stale the moment content changes, on every server.

The cache key of a page includes a site-wide content version kept in the shared
cache. Any committed write to content bumps it, so the next request on any app
server misses and renders afresh; old entries expire on their own. Readers'
browsers revalidate every time (ETag and Last-Modified, answered with 304).
"""

import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .roles import CONTENT_APPS

VERSION_KEY = "threatwatch:content-version"
PAGE_TTL = 60 * 60
UNCACHED_PREFIXES = ("/admin/", "/healthz")


def content_version() -> str:
    """Return the current content version, creating one if the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, f"{time.time():.6f}-{uuid.uuid4().hex[:8]}", None)
        version = cache.get(VERSION_KEY) or "0"
    return version


def content_version_time() -> int:
    """Return when content last changed, as a Unix time (for Last-Modified)."""
    return int(float(content_version().split("-")[0]))


def bump_content_version() -> None:
    """Start a new content version: every cached page becomes a miss."""
    cache.set(VERSION_KEY, f"{time.time():.6f}-{uuid.uuid4().hex[:8]}", None)


def content_changed(sender=None, instance=None, **kwargs) -> None:
    """Signal receiver: bump the version once the write is committed."""
    model = sender if instance is None else type(instance)
    if getattr(model, "_meta", None) is None:
        return
    if model._meta.app_label not in CONTENT_APPS:
        return
    # One bump per write: a few cache writes more on bulk commits, but it can
    # never miss one, whatever happens to savepoints and rolled-back blocks.
    transaction.on_commit(bump_content_version)


def _cacheable_request(request: HttpRequest) -> bool:
    # Readers have no session: anyone with a session cookie (staff) is served
    # fresh, which also lets this middleware run before sessions are loaded.
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not getattr(request, "is_preview", False)
    )


def _cacheable_response(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and "no-cache" not in control
    )


class PublicCacheMiddleware:
    """Serve anonymous GETs of public pages from the cache, keyed by content version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PUBLIC_PAGE_CACHE or not _cacheable_request(request):
            return self.get_response(request)
        address = f"{request.get_host()}|{request.get_full_path()}"
        key = "page:" + hashlib.sha256(address.encode()).hexdigest()
        # One round trip for the current version and the stored page; a page
        # stored under another version is a miss and gets replaced.
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or content_version()
        stored = found.get(key)
        last_modified = int(float(version.split("-")[0]))  # see content_version_time
        if stored is not None and stored[0] == version:
            response = stored[1]
            response["X-Cache"] = "hit"
        else:
            response = self.get_response(request)
            if not _cacheable_response(response):
                return response
            if not response.has_header("ETag"):
                digest = hashlib.sha256(f"{version}|{address}".encode()).hexdigest()
                response["ETag"] = f'"{digest[:32]}"'
            response["Last-Modified"] = http_date(last_modified)
            if not response.has_header("Cache-Control"):
                patch_cache_control(
                    response, public=True, max_age=0, must_revalidate=True
                )
            cache.set(key, (version, response), PAGE_TTL)
            response["X-Cache"] = "miss"
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=last_modified,
            response=response,
        )
