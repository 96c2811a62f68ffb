"""Per-address rate limit of follow requests (django-ratelimit, shared cache)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage


def _address(group: str, request: HttpRequest) -> str:
    from security.login import client_ip

    return client_ip(request) or "unknown"


def exceeded(request: HttpRequest) -> int | None:
    """Count this request; return seconds to wait if over FOLLOW_RATE, else None."""
    usage = get_usage(
        request,
        group="subscriptions.follow",
        key=_address,
        rate=settings.FOLLOW_RATE,
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "subscriptions/429.html",
        {"minutes": max(round(retry_after / 60), 1)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response
