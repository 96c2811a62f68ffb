"""The admin's JavaScript and the public pages work under the strict CSP.

Chromium reports every blocked script, style or image as a console error and a
`securitypolicyviolation` event; both are collected and must stay empty.
"""

import pytest
from django.contrib.auth import get_user_model

from editorial.roles import REVIEWER
from tests.browser.conftest import screenshot
from tests.factories import (
    make_category,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"

# Runs before any page script; init scripts are not subject to the page's CSP.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watched:
    """A page whose console errors, script errors and CSP violations are kept."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.expose_function(
            "reportCspViolation", lambda text: self.problems.append(f"CSP: {text}")
        )
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def _console(self, message) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the site has no favicon yet; not a CSP matter
        if message.type in {"error", "warning"}:
            self.problems.append(f"console {message.type}: {message.text}")

    def assert_clean(self) -> None:
        assert not self.problems, self.problems


@pytest.fixture
def watched(new_page):
    pages: list[Watched] = []

    def make() -> Watched:
        page = Watched(new_page())
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.assert_clean()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_response_carries_the_strict_policy(live_server, new_page):
    page = new_page()
    response = page.goto(f"{live_server.url}/admin/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_admin_change_forms_work_under_the_csp(live_server, watched):
    base = live_server.url
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    make_user("rita", role=REVIEWER)
    pattern = make_pattern(title="Prompt Injection Attacks")
    make_category(name="Failure Mode", slug="failure-mode")

    admin = watched()
    page = admin.page
    log_in(page, base, "root")

    # The colour theme toggle (theme.js).
    page.click("button.theme-toggle")

    # Prepopulated slug, select2 autocomplete, the related-object popup.
    page.goto(f"{base}/admin/glossary/term/add/")
    page.locator("#id_term").press_sequentially("Reward Hacking")
    assert page.input_value("#id_slug") == "reward-hacking"
    search = page.locator("#id_related_patterns + .select2 .select2-search__field")
    search.click()
    search.press_sequentially("Prompt")
    page.locator(".select2-results__option", has_text=pattern.title).click()
    assert page.locator("#id_related_patterns option:checked").count() == 1

    with page.expect_popup() as popup_info:
        page.click("#add_id_category")
    popup = popup_info.value
    popup_problems = Watched(popup)
    popup.wait_for_load_state()
    popup.locator("#id_name").press_sequentially("Attack Technique")
    assert popup.input_value("#id_slug") == "attack-technique"
    popup.click("input[name=_save]")
    popup.wait_for_event("close")
    assert page.locator("#id_category option:checked").inner_text() == (
        "Attack Technique"
    )
    popup_problems.assert_clean()

    page.fill("#id_summary", "A model games the measure it is trained on.")
    page.fill("#id_definition", "The model finds a shortcut that scores well.")
    page.fill("#id_change_summary", "First draft")
    page.click("input[name=_continue]")
    page.wait_for_selector(".workflow-panel")

    # The collapsed "Editorial" fieldset opens and closes.
    editorial = page.locator("fieldset.collapse", has_text="Editorial")
    editorial.locator("summary").click()
    assert editorial.locator("details").get_attribute("open") is not None
    screenshot(page, "admin-term-under-csp")

    # The workflow buttons post their forms.
    page.click("text=Submit for review")
    page.wait_for_selector("text=Submitted for review.")
    change_url = page.url

    reviewer = watched()
    log_in(reviewer.page, base, "rita")
    reviewer.page.goto(change_url)
    reviewer.page.click("text=Approve and publish")
    reviewer.page.wait_for_selector("text=Approved and published.")

    # Inlines ("Add another"), the incident form's autocompletes, the changelist
    # actions bar.
    page.goto(f"{base}/admin/incidents/incident/add/")
    page.locator("#id_title").press_sequentially("Chatbot leaks data")
    assert page.input_value("#id_slug") == "chatbot-leaks-data"
    rows = page.locator("#sources-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#sources-group .add-row a").click()
    assert rows.count() == before + 1
    page.locator(
        "#sources-group tr.form-row:not(.empty-form) .inline-deletelink"
    ).last.click()
    assert rows.count() == before

    make_incident(pattern, title="A published incident")
    page.goto(f"{base}/admin/incidents/incident/")
    page.check("#action-toggle")
    assert "1 of 1 selected" in page.inner_text(".action-counter")
    screenshot(page, "admin-changelist-under-csp")


def test_public_pages_with_json_ld_raise_no_violation(live_server, watched):
    base = live_server.url
    pattern = make_pattern(title="Prompt Injection Attacks")
    incident = make_incident(pattern, title="A published incident")
    term = make_term(term="Reward Hacking", slug="reward-hacking")

    reader = watched()
    for url in (
        "/",
        "/taxonomy/",
        "/incidents/",
        incident.get_absolute_url(),
        pattern.get_absolute_url(),
        pattern.domain.get_absolute_url(),
        "/glossary/",
        term.get_absolute_url(),
        "/search/?q=prompt",
        "/api/",
    ):
        response = reader.page.goto(f"{base}{url}")
        assert response.status == 200, url
        reader.page.wait_for_load_state("load")
    json_ld = reader.page.goto(f"{base}{term.get_absolute_url()}")
    assert json_ld.ok
    assert reader.page.locator('script[type="application/ld+json"]').count() >= 1


def test_inline_script_and_style_are_blocked_and_reported(live_server, new_page):
    """The policy bites, and the watcher above would notice if it did."""
    watched_page = Watched(new_page())
    page = watched_page.page
    page.goto(f"{live_server.url}/admin/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true;";
          document.head.appendChild(script);
          document.body.setAttribute("style", "background: red");
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != (
        "rgb(255, 0, 0)"
    )
    blocked = " ".join(watched_page.problems)
    assert "CSP: script-src-elem blocked inline" in blocked
    assert "CSP: style-src-attr blocked inline" in blocked
