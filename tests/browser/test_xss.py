"""The XSS corpus in a real browser: loading and hovering never runs a payload."""

import pytest

from tests.test_xss import payload_site  # noqa: F401 - a fixture


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_in_a_real_browser(live_server, new_page, payload_site):  # noqa: F811
    page = new_page()
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: fired.append(f"script error: {error}"))
    page.add_init_script(
        "window.alert = window.confirm = window.prompt = "
        "(m) => { window.__xss = (window.__xss || 0) + 1; };"
    )
    for url in payload_site:
        page.goto(live_server.url + url)
        for link in page.locator("main a").all()[:3]:
            link.hover()
        if page.evaluate("window.__xss || 0"):
            fired.append(url)
    assert not fired, fired[:20]
