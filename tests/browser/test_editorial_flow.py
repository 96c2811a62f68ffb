"""An author and a reviewer take a term from draft to public, in a real browser."""

import re

import pytest
from django.utils import timezone

from editorial.roles import AUTHOR, REVIEWER
from tests.browser.conftest import screenshot
from tests.factories import make_category, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_author_and_reviewer_publish_a_term(live_server, new_page):
    base = live_server.url
    make_user("alice", role=AUTHOR, email="alice@example.org")
    make_user("rita", role=REVIEWER, email="rita@example.org")
    make_category(name="Failure Mode", slug="failure-mode")

    author = new_page()
    log_in(author, base, "alice")
    author.goto(f"{base}/admin/glossary/term/add/")
    author.locator("#id_term").press_sequentially("Reward Hacking")
    assert author.input_value("#id_slug") == "reward-hacking"  # prepopulated
    author.select_option("#id_category", label="Failure Mode")
    author.fill("#id_summary", "A model games the measure it is trained on.")
    author.fill("#id_definition", "The model finds a shortcut that scores well.")
    author.fill("#id_change_summary", "First draft")
    author.click("input[name=_continue]")
    author.wait_for_selector(".workflow-panel")
    author.click("text=Submit for review")
    author.wait_for_selector("text=Submitted for review.")
    change_url = author.url

    reviewer = new_page()
    log_in(reviewer, base, "rita")
    dashboard = reviewer.locator("#editorial-dashboard")
    assert "Reward Hacking" in dashboard.inner_text()
    screenshot(reviewer, "admin-dashboard")
    dashboard.get_by_role("link", name="Reward Hacking").click()
    reviewer.fill("textarea[name=comment]", "Add an example from practice.")
    reviewer.click("text=Request changes")
    reviewer.wait_for_selector("text=Sent back to the author")

    author.goto(change_url)
    assert "Add an example from practice." in author.inner_text(".workflow-panel")
    author.fill(
        "#id_definition",
        "The model finds a shortcut that scores well, such as a boat racing "
        "game agent circling to collect points instead of finishing.",
    )
    author.fill("#id_change_summary", "Added an example")
    author.click("input[name=_continue]")
    author.click("text=Submit for review")
    author.wait_for_selector("text=Submitted for review.")

    reviewer.goto(change_url)
    screenshot(reviewer, "admin-review")
    reviewer.click("text=Approve and publish")
    reviewer.wait_for_selector("text=Approved and published.")

    reader = new_page(width=390, height=844)
    reader.goto(f"{base}/glossary/reward-hacking/")
    text = reader.inner_text("main")
    assert "boat racing" in text
    assert re.search(rf"Last updated:\s*{timezone.localdate():%Y-%m-%d}", text)
    screenshot(reader, "public-term-phone")
