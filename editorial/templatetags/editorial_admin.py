from django import template

from editorial.audit_log import recent_actions
from editorial.dashboard import dashboard, extra_panels

register = template.Library()


@register.inclusion_tag("admin/editorial/_dashboard.html", takes_context=True)
def editorial_dashboard(context) -> dict:
    return {
        "sections": dashboard(context["request"].user),
        "panels": extra_panels(context["request"].user),
        "perms": context.get("perms"),
    }


@register.inclusion_tag("admin/editorial/_recent_actions.html", takes_context=True)
def my_recent_actions(context) -> dict:
    return {"events": recent_actions(context["request"].user)}
