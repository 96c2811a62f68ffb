"""Template helpers of the public pages: absolute addresses, query strings."""

from django import template
from django.http import QueryDict

from incidents.metadata import absolute_url

register = template.Library()


@register.simple_tag
def site_url(path: str) -> str:
    """Return the public address of a path on this site."""
    return absolute_url(path)


@register.simple_tag
def query_with(query: QueryDict, **changes) -> str:
    """Return the query string with some parameters set (or removed when empty)."""
    updated = query.copy()
    for name, value in changes.items():
        updated.pop(name, None)
        if value not in (None, ""):
            updated[name] = value
    return updated.urlencode()
