"""The versions of cache tags, in the shared cache.

With Redis they are plain strings read and written by the Redis client itself
(one MGET for all the tags of a page, no pickling): a page names a hundred
tags or more, and this read is on the path of every cached page. Other cache
backends (local memory in the quick start) go through Django's cache API. A
Redis outage reads as "no versions" (every page a miss, never stale).
"""

import hashlib
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


# Checks a cached page on the Redis server: the page's tag keys are stored in a
# list beside it, and the digest of their versions must match the one stored
# with the page. The request carries one key and one digest, however many tags.
_CHECK = """
local keys = redis.call('LRANGE', KEYS[1], 0, -1)
if #keys == 0 then return 0 end
local values = redis.call('MGET', unpack(keys))
for i = 1, #values do
  if not values[i] then return 0 end
end
if redis.sha1hex(table.concat(values, '|')) == ARGV[1] then return 1 end
return 0
"""
_scripts: dict[int, object] = {}


def _digest(values: list[str]) -> str:
    return hashlib.sha1("|".join(values).encode()).hexdigest()  # noqa: S324


def fingerprint(versions: dict[str, str], page_key: str, timeout: int):
    """Store what `unchanged` needs to tell, later, that no version has moved."""
    client = _client(write=True)
    if client is None:
        return ("versions", dict(versions))
    keys = sorted(versions)  # the same order from every process
    list_key = cache.make_key(page_key + ":tags")
    try:
        pipe = client.pipeline()
        pipe.delete(list_key)
        pipe.rpush(list_key, *(cache.make_key(key) for key in keys))
        pipe.expire(list_key, timeout)
        pipe.execute()
    except RedisError as error:
        log.warning("Cache tags unavailable: %s", error)
        return None
    return ("redis", list_key, _digest([versions[key] for key in keys]))


def unchanged(fingerprint) -> bool:
    if fingerprint is None:
        return False
    if fingerprint[0] == "versions":
        return get_many(list(fingerprint[1])) == fingerprint[1]
    client = _client(write=False)
    if client is None:
        return False
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_CHECK)
    try:
        return script(keys=[fingerprint[1]], args=[fingerprint[2]]) == 1
    except RedisError as error:
        log.warning("Cache tags unavailable: %s", error)
        return False
