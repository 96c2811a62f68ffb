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


@pytest.fixture(autouse=True)
def _no_public_page_cache(settings):
    """Most tests change content inside one transaction, so no commit ever bumps the
    content version; page caching is tested on its own in tests/editorial."""
    settings.PUBLIC_PAGE_CACHE = False


from tests.mailserver import hanging_smtp_server, smtp_server  # noqa: E402,F401


@pytest.fixture(autouse=True)
def _snapshot_root(settings, tmp_path_factory):
    """Download snapshots built by a test go to a folder of its own."""
    settings.SNAPSHOT_ROOT = tmp_path_factory.mktemp("snapshots")
