"""The versions of cache tags, in the shared cache.

With Redis they are plain strings read and written by the Redis client itself
(one MGET for all the tags of a page, no pickling): a page names a hundred
tags or more, and this read is on the path of every cached page. Other cache
backends (local memory in the quick start) go through Django's cache API. A
Redis outage reads as "no versions" (every page a miss, never stale).
"""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _client(*, write: bool):
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    return get_client(write=write) if get_client is not None else None


def get_many(keys: list[str]) -> dict[str, str]:
    client = _client(write=False)
    if client is None:
        return cache.get_many(keys)
    try:
        values = client.mget([cache.make_key(key) for key in keys])
    except RedisError as error:
        log.warning("Cache tags unavailable: %s", error)
        return {}
    return {
        key: value.decode()
        for key, value in zip(keys, values, strict=True)
        if value is not None
    }


def set_many(mapping: dict[str, str], *, strict: bool = True) -> None:
    """Store versions; a failure raises unless not `strict` (then it is logged)."""
    client = _client(write=True)
    if client is None:
        cache.set_many(mapping, None)
        return
    try:
        client.mset({cache.make_key(key): value for key, value in mapping.items()})
    except RedisError as error:
        if strict:
            raise
        log.warning("Cache tags unavailable: %s", error)


def add(key: str, value: str) -> None:
    client = _client(write=True)
    if client is None:
        cache.add(key, value, None)
        return
    try:
        client.set(cache.make_key(key), value, nx=True)
    except RedisError as error:
        log.warning("Cache tags unavailable: %s", error)


def fingerprint(versions: dict[str, str]):
    """Return what `unchanged` needs to tell, later, that no version has moved.

    With Redis: the full keys and the expected raw values, so that checking a
    cached page is one MGET compared as it comes back (no decoding, no keys to
    build on the hot path).
    """
    if _client(write=False) is None:
        return ("versions", dict(versions))
    keys = list(versions)
    return (
        "redis",
        tuple(cache.make_key(key) for key in keys),
        [versions[key].encode() for key in keys],
    )


def unchanged(fingerprint) -> bool:
    if fingerprint[0] == "versions":
        return get_many(list(fingerprint[1])) == fingerprint[1]
    client = _client(write=False)
    if client is None:
        return False
    try:
        return client.mget(fingerprint[1]) == fingerprint[2]
    except RedisError as error:
        log.warning("Cache tags unavailable: %s", error)
        return False
