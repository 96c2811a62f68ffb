"""Template filters that turn editor text into safe HTML."""

import json

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from editorial import text

register = template.Library()


@register.filter
def markdown(value: str) -> SafeString:
    """Render markdown; the output is sanitised, so it may be marked safe."""
    return mark_safe(text.render_markdown(value))  # noqa: S308 - sanitised by nh3


@register.filter
def markdown_with_footnotes(value: str) -> SafeString:
    """Render markdown and link `[n]` footnotes to the sources list."""
    return mark_safe(text.link_footnotes(text.render_markdown(value)))  # noqa: S308


@register.filter
def inline_markdown(value: str) -> SafeString:
    """Render one line of markdown without a surrounding paragraph."""
    return mark_safe(text.render_inline(value))  # noqa: S308


@register.filter
def lines(value: str) -> list[str]:
    """Split a one-item-per-line field into its items."""
    return text.split_lines(value)


@register.filter
def web_addresses(value: str) -> list[str]:
    """Split a one-address-per-line field, keeping only http(s) addresses."""
    return [line for line in text.split_lines(value) if text.is_web_address(line)]


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict) -> SafeString:
    """Return a schema.org JSON-LD script; <, > and & are escaped as in json_script."""
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(payload)
    )


@register.simple_tag
def public_history_url(entry) -> str:
    """Return the address of the list of an entry's published versions."""
    return reverse(
        "editorial:entry_changes",
        kwargs={"label": entry._meta.label_lower, "object_id": entry.pk},
    )
