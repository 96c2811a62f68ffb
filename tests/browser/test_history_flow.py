"""Staff use the history as they would: three edits, compare, revert, audit log."""

import pytest

from editorial.roles import AUTHOR, REVIEWER
from tests.browser.conftest import screenshot
from tests.browser.test_editorial_flow import log_in
from tests.factories import make_category, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_three_edits_compare_revert_and_audit(live_server, new_page):
    base = live_server.url
    make_user("alice", role=AUTHOR)
    make_user("rita", role=REVIEWER)
    make_category(name="Failure Mode", slug="failure-mode")

    page = new_page()
    log_in(page, base, "alice")
    page.goto(f"{base}/admin/glossary/term/add/")
    page.locator("#id_term").press_sequentially("Model Collapse")
    page.select_option("#id_category", label="Failure Mode")
    page.fill("#id_summary", "Quality loss from training on generated output.")
    page.fill("#id_definition", "Models trained on their own output degrade.")
    page.fill("#id_change_summary", "First version")
    page.click("input[name=_continue]")
    page.wait_for_selector(".workflow-panel")
    for number, text in (
        (2, "Models trained on their own output lose the rare cases."),
        (3, "Models trained mostly on generated output forget rare cases."),
    ):
        page.fill("#id_definition", text)
        page.fill("#id_change_summary", f"Version {number}")
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist")

    page.click("text=History")
    page.wait_for_selector(".history-table")
    rows = page.locator(".history-table tbody tr")
    assert rows.count() == 4  # the live entry and three revisions
    assert "Version 3" in rows.nth(1).inner_text()
    rows.nth(3).locator("input[name=a]").check()  # the first revision
    rows.nth(1).locator("input[name=b]").check()  # the third
    screenshot(page, "admin-history")
    page.click("text=Compare selected revisions")
    diff = page.locator(".diff-table")
    assert "their own output degrade" in diff.inner_text()
    assert diff.locator("ins").count() > 0 and diff.locator("del").count() > 0
    screenshot(page, "admin-compare")

    page.go_back()
    rows.nth(3).get_by_role("link", name="Revert to this").click()
    assert "their own output degrade" in page.input_value("#id_definition")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert "their own output degrade" in page.input_value("#id_definition")

    auditor = new_page()
    log_in(auditor, base, "rita")
    auditor.goto(f"{base}/admin/audit-log/?actor=")
    table = auditor.locator(".history-table").inner_text()
    assert "Revert" in table and "Create" in table and "Model Collapse" in table
    screenshot(auditor, "admin-audit-log")
