"""The OpenAPI description of the API, built once per process and served as is.

drf-spectacular's generator keeps state in globals and on the view classes, so
two requests generating at once in a threaded server trip its assertions. The
description only changes with the code: it is built the first time it is asked
for, under a lock, and every later request serves the same bytes.
"""

import hashlib
import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

MEDIA_TYPE = "application/vnd.oai.openapi+json"

_lock = threading.Lock()
_built: tuple[bytes, str] | None = None


def build() -> dict:
    """Generate the description afresh (callers serialise through `document`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return SchemaGenerator().get_schema(request=None, public=True)


def document() -> tuple[bytes, str]:
    """Return the rendered description and its ETag, building it on first use."""
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                body = OpenApiJsonRenderer().render(build(), renderer_context={})
                etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
                _built = (body, etag)
    return _built


def _parameter_errors(request: HttpRequest) -> dict[str, list[str]]:
    errors = {}
    for name in request.GET:
        if name != "lang":
            errors[name] = ["Unknown parameter; the description takes only lang."]
        elif request.GET[name] not in ("", settings.LANGUAGE_CODE):
            errors[name] = [
                f"The description is written in one language: use "
                f"lang={settings.LANGUAGE_CODE} or leave it out."
            ]
    return errors


@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    """Serve the OpenAPI 3 description; 400 with JSON for a bad parameter."""
    errors = _parameter_errors(request)
    if errors:
        return JsonResponse(errors, status=400)
    body, etag = document()
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type=MEDIA_TYPE
    )
    response.headers["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
