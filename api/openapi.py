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

# What every endpoint answers when it refuses a request: the JSON shapes of
# DRF's ValidationError (and of the NUL-byte guard) and of NotFound.
ERRORS = {
    "type": "object",
    "description": "Each parameter at fault, with what is wrong with its value.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"page": ["Use a whole number from 1 (got '0')."]},
}
NOT_FOUND = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "example": {"detail": "No published entry INC-23-0001."},
}

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


def describe_errors(result: dict, **kwargs) -> dict:
    """drf-spectacular hook: give every operation its 400 (and 404) answers.

    Every endpoint refuses unknown parameters and bad values with 400; one that
    names an entry in its path answers 404 when no such entry is published. An
    empty query parameter counts as left out.
    Added here rather than on each view, so an endpoint added later is
    described the same way.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Errors"] = ERRORS
    schemas["NotFound"] = NOT_FOUND
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    # As from the HTML filter form: name= is the same as no name.
                    parameter["allowEmptyValue"] = True
            responses = operation["responses"]
            responses["400"] = {
                "description": "A parameter is unknown, or its value is refused "
                "(a page past the last one, a NUL byte, an unknown slug).",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/Errors"}
                    }
                },
            }
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                responses["404"] = {
                    "description": "No published entry has this key.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/NotFound"}
                        }
                    },
                }
    return result


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
