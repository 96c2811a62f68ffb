"""Per-address rate limits for the public forms (django-ratelimit, shared cache).

The count is kept in the default cache, so every app server shares it when
`CACHE_URL` points at Redis. Over the rate, readers get a 429 page that says how
long to wait, with `Retry-After`, never cached.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from .login import client_ip


def _address(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def exceeded(request: HttpRequest, group: str, rate: str) -> int | None:
    """Count this request in `group`; seconds to wait if over `rate`, else None."""
    usage = get_usage(request, group=group, key=_address, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


def too_many(request: HttpRequest, retry_after: int, template: str) -> HttpResponse:
    """The 429 answer: `template` explains, `Retry-After` says when to come back."""
    response = render(
        request, template, {"minutes": max(round(retry_after / 60), 1)}, status=429
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response
