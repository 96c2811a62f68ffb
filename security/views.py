"""The health check and the pages served when a backing service fails."""

import logging
import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
FALLBACK_503 = (
    "<!doctype html><html lang=en><meta charset=utf-8>"
    "<title>Temporarily unavailable · Threatwatch</title>"
    "<h1>Threatwatch is temporarily unavailable</h1>"
    "<p>Please try again in a few minutes.</p>"
)


def database_status() -> str:
    """Return "ok" when a query reaches the database, "error" otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check: the database cannot be reached: %s", error)
        return "error"
    return "ok"


def cache_status() -> str:
    """Return "ok" when a value written to the cache can be read back."""
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:  # any backend, any failure: the answer is the same
        logger.warning("Health check: the cache cannot be reached: %s", error)
        return "error"
    return "ok" if value == "ok" else "error"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the cache answer; 503 when one does not."""
    checks = {"database": database_status(), "cache": cache_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def database_unavailable(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """Return a 503 page that renders without the database or the request context."""
    logger.error(
        "Database unavailable on %s %s: %s", request.method, request.path, exception
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": "The service is temporarily unavailable. Try again shortly."},
            status=503,
        )
    else:
        # Rendered without the request: context processors (user, messages)
        # would reach for the session and so for the database.
        try:
            html = loader.get_template("503.html").render(
                {"retry_after_minutes": RETRY_AFTER_SECONDS // 60}
            )
        except Exception:  # e.g. a missing static manifest: still answer 503
            logger.exception("The 503 page could not be rendered.")
            html = FALLBACK_503
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Serve the 503 page for database failures outside views, else the 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable(request, exception)
    return default_server_error(request)
