"""With the cache down the site works uncached; with it up, values round-trip."""

import shutil
import socket
import subprocess
import time

import pytest

from security.cache import ResilientRedisCache, _paused_until


@pytest.fixture(autouse=True)
def _forget_pauses():
    _paused_until.clear()
    yield
    _paused_until.clear()


def redis_cache(port: int) -> ResilientRedisCache:
    return ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {})


def test_unreachable_redis_behaves_as_an_empty_cache(caplog):
    cache = redis_cache(9)
    started = time.monotonic()
    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_or_set("key", "computed") == "computed"
    cache.set("key", "value")
    assert cache.add("key", "value") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.has_key("key") is False
    assert cache.delete("key") is False
    cache.delete_many(["a", "b"])
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert time.monotonic() - started < 2
    assert "Cache unavailable" in caplog.text


def test_unreachable_redis_is_left_alone_for_a_while(caplog):
    cache, other_thread_cache = redis_cache(8), redis_cache(8)
    cache.get("key")
    cache.get("key")
    other_thread_cache.get("key")
    assert caplog.text.count("Cache unavailable") == 1


@pytest.fixture
def redis_port():
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_reachable_redis_stores_values(redis_port):
    cache = redis_cache(redis_port)
    cache.set("key", {"a": 1})
    assert cache.get("key") == {"a": 1}
    assert cache.add("n", 1) is True
    assert cache.incr("n") == 2
