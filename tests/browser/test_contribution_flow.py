"""A reader reports an incident, an author triages it, a reviewer publishes it."""

import pytest

from editorial.roles import AUTHOR, REVIEWER
from tests.browser.conftest import screenshot
from tests.browser.test_editorial_flow import log_in
from tests.factories import add_source, make_incident, make_pattern, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITED = "https://www.news.example.org/2024/voice-clone-robocall/"


def test_reader_report_becomes_a_published_incident(live_server, new_page):
    base = live_server.url
    make_user("alice", role=AUTHOR, email="alice@example.org")
    make_user("rita", role=REVIEWER, email="rita@example.org")
    pattern = make_pattern(title="Deepfake Identity Hijacking")
    existing = make_incident(pattern, title="Voice clone robocall before a primary")
    add_source(existing, url=CITED)

    reader = new_page(width=390, height=844)
    reader.goto(f"{base}/")
    reader.get_by_role("link", name="Report an incident").first.click()
    reader.wait_for_url(f"{base}/submit/")
    reader.fill("#id_source_urls", "http://news.example.org/2024/voice-clone-robocall")
    hints = reader.locator("#duplicate-hints")
    hints.wait_for(state="visible")
    assert existing.code in hints.inner_text()
    assert "cites the same source" in hints.inner_text()
    screenshot(reader, "submit-duplicate-hint-phone")
    # Not the same one after all: the reader gives their own source and sends it.
    reader.fill("#id_source_urls", "https://local.example.net/school-deepfake-audio")
    reader.fill("#id_title", "Deepfake audio of a head teacher spread among parents")
    reader.fill("#id_occurred", "2024-04")
    reader.fill("#id_description", "A cloned voice recording was shared as real.")
    reader.get_by_role("button", name="Send the report").click()
    reader.wait_for_url("**/submit/status/**")
    status_url = reader.url.split("?")[0]
    assert "Thank you" in reader.inner_text("main")
    assert reader.inner_text("#submission-status") == "New"

    author = new_page(width=1366, height=900)
    log_in(author, base, "alice")
    assert "Reader submissions" in author.inner_text("#editorial-dashboard")
    author.goto(f"{base}/admin/contributions/submission/?claimed=unassigned")
    author.get_by_role("link", name="Deepfake audio of a head teacher").click()
    author.get_by_role("button", name="Claim").click()
    author.wait_for_selector("text=Claimed: it is yours to triage.")
    author.select_option("#id_draft-primary_pattern", label=str(pattern))
    author.select_option("#id_draft-severity", "medium")
    screenshot(author, "admin-triage")
    author.get_by_role("button", name="Create draft incident").click()
    author.wait_for_selector("text=Drafted INC-24-")
    assert author.input_value("#id_date_occurred") == "2024-04"
    author.click("text=Submit for review")
    author.wait_for_selector("text=Submitted for review.")
    incident_admin = author.url

    reader.goto(status_url)
    assert "Accepted" in reader.inner_text("main")
    assert reader.locator("#outcome-link").count() == 0  # not public yet

    reviewer = new_page(width=1366, height=900)
    log_in(reviewer, base, "rita")
    reviewer.goto(incident_admin)
    reviewer.click("text=Approve and publish")
    reviewer.wait_for_selector("text=Approved and published.")

    reader.goto(status_url)
    link = reader.locator("#outcome-link")
    assert "Deepfake audio of a head teacher" in link.inner_text()
    link.click()
    reader.wait_for_url("**/incidents/INC-24-*/")
    assert "Deepfake audio of a head teacher" in reader.inner_text("h1")
    screenshot(reader, "submitted-incident-live-phone")
