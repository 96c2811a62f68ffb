"""The site's own address, for links that must be absolute.

Citations, permanent addresses, JSON-LD, the API's `url` fields and mail all
need the full address of a page. In production it is `SITE_URL` (required by a
`check --deploy` check). Without it, during a request the address is the one
the reader used (scheme and host as Django sees them, the host checked against
ALLOWED_HOSTS), so a development server on any port or name links to itself;
outside a request (mail from a command, exports) it is `DEVELOPMENT_SITE_URL`.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"

_request_site: ContextVar[str | None] = ContextVar("request_site", default=None)


def site_url(path: str = "") -> str:
    """Return the absolute address of `path` ("/glossary/") on this site."""
    base = settings.SITE_URL or _request_site.get() or DEVELOPMENT_SITE_URL
    return base.rstrip("/") + path


class SiteAddressMiddleware:
    """Note the address of the current request for `site_url` while it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _request_site.set(_address_of(request))
        try:
            return self.get_response(request)
        finally:
            _request_site.reset(token)


def _address_of(request: HttpRequest) -> str | None:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # refused further on anyway
        return None


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[Error]:
    """Production needs SITE_URL: mail and exports have no request to go by."""
    if settings.SITE_URL:
        return []
    return [
        Error(
            "SITE_URL is not set.",
            hint="Set SITE_URL to the public address of the site, e.g. "
            "SITE_URL=https://threatwatch.example.org; links in citations, the "
            "API, exports and mail are built from it.",
            id="threatwatch.E001",
        )
    ]
