"""Per-address rate limits (django-ratelimit, counted in the shared cache)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage


def _address(group: str, request: HttpRequest) -> str:
    from security.login import client_ip

    return client_ip(request) or "unknown"


def exceeded(request: HttpRequest, group: str, rate: str) -> int | None:
    """Count this request; return seconds to wait if over the rate, else None."""
    usage = get_usage(
        request, group=f"contributions.{group}", key=_address, rate=rate, increment=True
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "contributions/429.html",
        {"minutes": max(round(retry_after / 60), 1)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response


def submit_rate() -> str:
    return settings.SUBMISSION_RATE
