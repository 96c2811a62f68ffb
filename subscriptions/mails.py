"""The mails readers get, built from templates (plain text and HTML) into the outbox.

Bodies are built only from published rows and the public changelog's summaries;
every mail carries the manage link, an unsubscribe link and the RFC 8058 headers.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from editorial.addresses import site_url
from outbox.services import Mail, enqueue

from . import targets, tokens


def _render(name: str, context: dict) -> tuple[str, str]:
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": site_url(),
        **context,
    }
    return (
        render_to_string(f"subscriptions/mail/{name}.txt", context),
        render_to_string(f"subscriptions/mail/{name}.html", context),
    )


def _links(subscriber, scope: str) -> dict:
    return {
        "manage_url": tokens.link(subscriber),
        "unsubscribe_url": tokens.link(subscriber, "unsubscribe", scope=scope),
    }


def build(key: str, subscriber, subject: str, template: str, scope: str, **context):
    links = _links(subscriber, scope)
    text, html = _render(template, {**context, **links, "subscriber": subscriber})
    return Mail(
        key=key,
        to=subscriber.email,
        subject=f"[{settings.SITE_NAME}] {subject}",
        text=text,
        html=html,
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def confirmation(subscriber, subscription) -> None:
    """At most one confirmation mail an hour per address, however many requests."""
    hour = timezone.now().strftime("%Y%m%d%H")
    enqueue(
        build(
            f"subscriptions:confirm:{subscriber.pk}:{hour}",
            subscriber,
            "Confirm what you follow",
            "confirm",
            "all",
            what=targets.describe(subscription.target),
            confirm_url=tokens.link(subscriber, "confirm"),
        )
    )
