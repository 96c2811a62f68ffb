"""HTTP caching of API documents: Cache-Control, ETag, Last-Modified and 304."""

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from editorial.caching import collected_last_modified

# Clients revalidate every time (a 304 costs little), so nobody keeps reading an
# entry after it was withdrawn or changed.
MAX_AGE = 0


def etag_of(document) -> str:
    """Return a strong ETag of a document, its generation time left out.

    `_meta.generated` changes on every request; the content it dates does not,
    so two requests for unchanged content get the same tag.
    """
    if isinstance(document, dict) and "_meta" in document:
        stable_meta = {k: v for k, v in document["_meta"].items() if k != "generated"}
        document = {**document, "_meta": stable_meta}
    digest = hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return f'"{digest[:40]}"'


def cached(
    request: HttpRequest,
    response: HttpResponse,
    *,
    etag: str,
) -> HttpResponse:
    """Stamp the caching headers; answer 304 when the client's copy is current."""
    # The latest change of anything the document read (its cache tags), so a
    # write elsewhere leaves it unmodified; the ETag is of the content itself.
    timestamp = collected_last_modified()
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if not_modified is not None:
        response = not_modified
    response.headers["ETag"] = etag
    if timestamp is not None:
        response.headers["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=MAX_AGE, must_revalidate=True)
    return response
