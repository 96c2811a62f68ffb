"""Purge cache tags from every front-end cache (Varnish with xkey, or a CDN).

`FRONTEND_CACHE_URLS` lists them (none by default). Each gets an HTTP `PURGE`
with the tags in the `xkey-purge` header, space-separated, a few hundred per
request so the header stays within the proxy's limits. Purges are sent after
the write has committed and the shared cache has the new tag versions, so a
proxy that refetches at once gets the fresh page. A proxy that cannot be
reached is logged, never raised: the write stands, and its objects expire on
their own (`s-maxage`).
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)

PURGE_HEADER = "xkey-purge"
TAGS_PER_REQUEST = 200


def purge(tags: list[str]) -> int:
    """Send purges of the tags to every front-end cache; return requests made."""
    urls = settings.FRONTEND_CACHE_URLS
    sent = 0
    if not urls or not tags:
        return sent
    for url in urls:
        for start in range(0, len(tags), TAGS_PER_REQUEST):
            chunk = " ".join(tags[start : start + TAGS_PER_REQUEST])
            request = urllib.request.Request(
                url, method="PURGE", headers={PURGE_HEADER: chunk}
            )
            try:
                with urllib.request.urlopen(  # noqa: S310 - configured URL
                    request, timeout=settings.FRONTEND_CACHE_TIMEOUT
                ) as response:
                    response.read()
                sent += 1
            except (OSError, urllib.error.URLError) as error:
                log.warning("Could not purge %s from %s: %s", chunk[:80], url, error)
    return sent
