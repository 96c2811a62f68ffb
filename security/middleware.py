"""Response headers Django lacks, and a calm 503 when the database is away."""

from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .views import database_unavailable


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy`, switching off browser features the site never uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DISABLED
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        # WhiteNoise answers static files before the clickjacking middleware runs;
        # this one wraps it, so every response (static files too) carries the header.
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class DatabaseOutageMiddleware:
    """Answer 503 with Retry-After, not a 500, when the database cannot be reached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


def _nul_parameter(request: HttpRequest) -> str | None:
    """Return the name of the first query or form parameter holding a NUL byte."""
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if "\x00" in name:
                return name.replace("\x00", "\\0")
            if any("\x00" in value for value in values):
                return name
    if "\x00" in request.path:
        return "path"
    return None


class NulByteMiddleware:
    """Refuse a NUL byte in any parameter with 400, for every page and endpoint.

    PostgreSQL refuses NUL in text, so one left through becomes a 500 deep inside
    a query. The API answers JSON naming the parameter; pages answer a 400 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _nul_parameter(request)
        if name is None:
            return self.get_response(request)
        message = "A NUL byte (\\0) is not allowed in a parameter."
        if request.path.startswith("/api/"):
            return JsonResponse({name: [message]}, status=400)
        return render(
            request,
            "400.html",
            {"parameter": name, "message": message},
            status=400,
        )
