from django import template

from subscriptions import targets

register = template.Library()


@register.filter
def follow_key(entry) -> str:
    """The target key of an entry for the Follow form (no query)."""
    return targets.key_for(entry) if entry is not None else ""
