"""Browser fixtures: Playwright driving Debian's Chromium against live_server.

Chromium is installed with apt-get when missing; the tests fail, never skip,
when it cannot be had. `playwright install` is never used.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail("Chromium is missing and apt-get is not available to install it.")
    subprocess.run([apt, "update", "-q"], check=False, capture_output=True)
    result = subprocess.run(
        [apt, "install", "-y", "-q", "chromium"], capture_output=True, text=True
    )
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.fail(f"Could not install Chromium: {result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def browser():
    _ensure_chromium()
    # Playwright's sync API runs an event loop; Django's ORM calls from the test
    # body happen in the same thread, which is safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=LAUNCH_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser):
    """Return a factory of pages, each in its own context (its own cookies)."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
