"""A Redis cache that the site can live without.

Django's RedisCache raises when the server is unreachable, which turns every page
that touches the cache into a 500. This backend fails fast, logs, answers as an
empty cache would, and leaves the server alone for a short while before trying
again, so an outage of the cache costs speed, never availability.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Seconds to skip the server after a failure; one failing request per pause.
PAUSE_AFTER_FAILURE = 15.0
# Per server, shared by the process's threads (Django makes a cache per thread).
_paused_until: dict[str, float] = {}


def _or_when_down(fallback: Callable[..., Any]) -> Callable:
    """Run the cache method, or return `fallback(*args, **kwargs)` if Redis fails."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self: "ResilientRedisCache", *args: Any, **kwargs: Any) -> Any:
            if time.monotonic() < _paused_until.get(self._location, 0.0):
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                _paused_until[self._location] = time.monotonic() + PAUSE_AFTER_FAILURE
                logger.warning(
                    "Cache unavailable (%s); serving uncached for %ss.",
                    error,
                    PAUSE_AFTER_FAILURE,
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _no_values(*args: Any, **kwargs: Any) -> dict:
    return {}


def _missing(key: Any, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key {key!r} not found: the cache is unavailable.")


def _all_failed(data: dict, *args: Any, **kwargs: Any) -> list:
    return list(data)


class ResilientRedisCache(RedisCache):
    """RedisCache that behaves as an empty cache while the server is down."""

    def __init__(self, server: str, params: dict) -> None:
        options = {
            "socket_connect_timeout": 0.5,
            "socket_timeout": 0.5,
            "retry": Retry(NoBackoff(), 1),
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = str(server)

    get = _or_when_down(_default)(RedisCache.get)
    get_many = _or_when_down(_no_values)(RedisCache.get_many)
    has_key = _or_when_down(_false)(RedisCache.has_key)
    add = _or_when_down(_false)(RedisCache.add)
    set = _or_when_down(_nothing)(RedisCache.set)
    set_many = _or_when_down(_all_failed)(RedisCache.set_many)
    incr = _or_when_down(_missing)(RedisCache.incr)
    touch = _or_when_down(_false)(RedisCache.touch)
    delete = _or_when_down(_false)(RedisCache.delete)
    delete_many = _or_when_down(_nothing)(RedisCache.delete_many)
    clear = _or_when_down(_false)(RedisCache.clear)
