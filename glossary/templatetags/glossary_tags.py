"""Template filters of the glossary pages."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from glossary.links import Linker

register = template.Library()


@register.filter
def autolink(html: SafeString, linker: Linker | None) -> SafeString:
    """Link mentions of published entries in already sanitised HTML."""
    if linker is None:
        return html
    return mark_safe(linker.link(str(html)))  # noqa: S308 - input sanitised, inserts escaped
