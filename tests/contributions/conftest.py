import uuid

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """Rate limits count in Redis (db 6) under a prefix of this test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "security.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/6",
            "KEY_PREFIX": f"tw-i14-{uuid.uuid4().hex}",
        }
    }
    yield
    caches["default"].clear()
