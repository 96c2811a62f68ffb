"""The private link of a subscriber: derived, never stored; only its hash is."""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from django.conf import settings
from django.urls import reverse

from editorial.addresses import site_url


def new_salt() -> str:
    return secrets.token_hex(16)


def token_for(salt: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"subscriptions:{salt}".encode(), hashlib.sha256
    ).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(subscriber, name: str = "manage", **query) -> str:
    """The subscriber's private address of the page `name` (manage, confirm...)."""
    url = site_url(reverse(f"subscriptions:{name}", args=[token_for(subscriber.salt)]))
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url
