"""Cached public pages, kept exactly as fresh as the content they show.

Each anonymous public response is rendered inside a tag collector
(`editorial.cache_tags`): it knows which entries and collections it shows. It
is stored in the shared cache (Redis, for every app server) with the versions
its tags had, and served again while they are unchanged: one read for the page
and one `mget` for its tags. A committed write moves only the tags it touched
(`editorial.invalidation`), so a publish turns cold the pages that show the
change and nothing else.

The same tags go to a front-end cache (Varnish with xkey, a CDN) in a response
header it strips, with a long `s-maxage`; the purge client removes them there
after each write. Browsers revalidate every time (ETag and Last-Modified,
answered with 304). Staff, previews, sessions and the admin are `private,
no-store` and never stored anywhere.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import invalidation, tag_store
from .cache_tags import SITE, collecting, current_tags
from .invalidation import new_version, tag_key, version_time

SITE_KEY = tag_key(SITE)
UNCACHED_PREFIXES = ("/admin/", "/healthz")
# Kept in the content version's old name so older code and tests still read it.
VERSION_KEY = SITE_KEY


def content_version() -> str:
    """Return the site-wide version (moved by every write), creating one if none."""
    version = tag_store.get_many([SITE_KEY]).get(SITE_KEY)
    if version is None:
        tag_store.add(SITE_KEY, new_version())
        version = tag_store.get_many([SITE_KEY]).get(SITE_KEY) or "0"
    return version


def content_version_time() -> int:
    """Return when content last changed anywhere, as a Unix time."""
    return version_time(content_version()) or 0


def bump_content_version() -> None:
    """Move every tag's dependants at once: the site-wide tag."""
    invalidation.bump({SITE})


def tag_versions(tags) -> dict[str, str]:
    """Return the current version of each tag, giving new ones to unknown tags.

    A tag never written (or evicted) gets a fresh version, so a page stored
    with it is never mistaken for one stored before its eviction.
    """
    keys = [tag_key(tag) for tag in tags]
    found = tag_store.get_many(keys)
    missing = {key: new_version() for key in keys if key not in found}
    if missing:
        tag_store.set_many(missing, strict=False)
        found.update(missing)
    return found


def last_modified(versions: dict[str, str]) -> int:
    times = [version_time(version) for version in versions.values()]
    return max((t for t in times if t is not None), default=0)


def collected_last_modified() -> int:
    """Last-Modified of what the current response read so far (API documents)."""
    tags = current_tags()
    if not tags:
        return content_version_time()
    return last_modified(tag_versions(tags))


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
        and "cookie" not in response.get("Vary", "").lower()
    )


def _private(response: HttpResponse) -> HttpResponse:
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)
    return response


def _public_control(response: HttpResponse, *, shared: bool) -> None:
    """Browsers revalidate; a shared cache keeps it long, purged by tag."""
    if "Cache-Control" in response:
        del response["Cache-Control"]
    if shared:
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.SHARED_CACHE_MAX_AGE,
            stale_while_revalidate=settings.SHARED_CACHE_STALE_WHILE_REVALIDATE,
            stale_if_error=settings.SHARED_CACHE_STALE_IF_ERROR,
        )
    else:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)


class PublicCacheMiddleware:
    """Serve anonymous GETs of public pages from the cache, keyed by their tags."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PUBLIC_PAGE_CACHE:
            return self.get_response(request)
        if not _cacheable_request(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and (
                request.path.startswith("/admin/")
                or settings.SESSION_COOKIE_NAME in request.COOKIES
                or "HTTP_AUTHORIZATION" in request.META
                or getattr(request, "is_preview", False)
                or response.cookies
            ):
                _private(response)
            return response
        address = f"{request.get_host()}|{request.get_full_path()}"
        key = "page:" + hashlib.sha256(address.encode()).hexdigest()
        # One read for the page, one MGET for the versions of its tags.
        stored = cache.get(key)
        if stored is not None:
            fingerprint, response = stored
            if tag_store.unchanged(fingerprint):
                response["X-Cache"] = "hit"
                return self._conditional(request, response)
        site_before = content_version()
        with collecting() as tags:
            response = self.get_response(request)
        if not _cacheable_response(response):
            if response.cookies:
                _private(response)
            return response
        tags = tags or {SITE}  # read nothing we know of: any write may change it
        versions = tag_versions(tags | {SITE})
        # A write that committed while the page was rendered may or may not be
        # in it: such a page is sent but stored nowhere.
        settled = site_before is not None and versions[SITE_KEY] == site_before
        if SITE not in tags:
            del versions[SITE_KEY]
        if not response.has_header("ETag"):
            digest = hashlib.sha256(
                "|".join([address, *sorted(versions.values())]).encode()
            ).hexdigest()
            response["ETag"] = f'"{digest[:32]}"'
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(last_modified(versions))
        _public_control(response, shared=settled)
        if settings.CACHE_TAGS_HEADER:
            response[settings.CACHE_TAGS_HEADER] = " ".join(sorted(tags))
        response["X-Cache"] = "miss"
        if settled:
            ttl = settings.PAGE_CACHE_TTL
            check = tag_store.fingerprint(versions, key, ttl)
            if check is not None:
                cache.set(key, (check, response), ttl)
        return self._conditional(request, response)

    @staticmethod
    def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        from django.utils.http import parse_http_date_safe

        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
