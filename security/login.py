"""Who is logging in, as the lockout of repeated failed logins (django-axes) sees it."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client, read from the proxy's header when trusted.

    Behind a proxy every request comes from the proxy's address; the proxy appends
    the real client to `X-Forwarded-For`, so the last entry is the one it vouches
    for (earlier entries are whatever the client chose to send).
    """
    if settings.TRUST_PROXY_HEADERS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """Render the page shown instead of the login form while a login is locked."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
    }
    return render(
        request,
        "security/lockout.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
