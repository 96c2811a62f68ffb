import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Serve static files without a manifest so tests need no collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
