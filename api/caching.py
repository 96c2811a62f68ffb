"""HTTP caching of API documents: Cache-Control, ETag, Last-Modified and 304."""

import datetime
import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

MAX_AGE = 300


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


def last_modified_of(entries) -> datetime.datetime | None:
    """Return when the newest of the entries shown was last saved."""
    stamps = [entry.updated_at for entry in entries if entry.updated_at]
    return max(stamps) if stamps else None


def cached(
    request: HttpRequest,
    response: HttpResponse,
    *,
    etag: str,
    last_modified: datetime.datetime | None,
) -> HttpResponse:
    """Stamp the caching headers; answer 304 when the client's copy is current."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if not_modified is not None:
        response = not_modified
    response.headers["ETag"] = etag
    if timestamp is not None:
        response.headers["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
