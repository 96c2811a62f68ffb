"""The editor's desk in a real browser: the panel's layout and the add form."""

import pytest

from editorial import services
from editorial.roles import AUTHOR, REVIEWER
from tests.browser.conftest import screenshot
from tests.browser.test_editorial_flow import log_in
from tests.factories import add_source, make_incident, make_term, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1024, 1280, 1366, 1600, 1920)

# Is the element at the button's centre the button itself (or its text)?
HIT_AT_CENTRE = """(button) => {
    button.scrollIntoView({block: 'center'});
    const box = button.getBoundingClientRect();
    const x = box.x + box.width / 2, y = box.y + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    return hit === button || button.contains(hit);
}"""


def pending_in_review(entry, author):
    def apply(live):
        live.summary = f"{live.summary} Sharper."
        live.save()

    services.edit(entry, by=author, apply=apply, summary="Sharper summary")
    services.submit(entry, by=author)


@pytest.mark.parametrize("kind", ["term", "incident"])
def test_workflow_buttons_are_never_covered(live_server, new_page, kind):
    base = live_server.url
    author = make_user("alice", role=AUTHOR)
    make_user("rita", role=REVIEWER)
    if kind == "term":
        entry = make_term(term="Deepfake", summary="Synthetic media.")
        url = f"{base}/admin/glossary/term/{entry.pk}/change/"
    else:
        entry = make_incident(title="A cloned voice calls", summary="A robocall.")
        add_source(entry)
        url = f"{base}/admin/incidents/incident/{entry.pk}/change/"
    pending_in_review(entry, author)

    for width in WIDTHS:
        page = new_page(width=width, height=800)
        log_in(page, base, "rita")
        page.goto(url)
        buttons = page.locator(".workflow-actions button")
        labels = [buttons.nth(i).inner_text() for i in range(buttons.count())]
        assert labels == [
            "Approve and publish",
            "Request changes",
            "Reviewed, still accurate",
            "Unpublish",
            "Archive",
        ], width
        for i in range(buttons.count()):
            button = buttons.nth(i)
            assert button.is_visible(), (width, labels[i])
            assert button.evaluate(HIT_AT_CENTRE), (width, labels[i])
        tools = page.locator(".object-tools a")
        for i in range(tools.count()):
            assert tools.nth(i).evaluate(HIT_AT_CENTRE), (width, i)
        if width == 1366:
            screenshot(page, f"admin-workflow-panel-{kind}-1366")


def test_add_form_fills_the_slug_live_and_saves_and_submits(live_server, new_page):
    base = live_server.url
    make_user("alice", role=AUTHOR)
    make_term(term="Anchor")  # gives the form a category to pick
    page = new_page(width=1366)
    log_in(page, base, "alice")
    page.goto(f"{base}/admin/glossary/term/add/")
    # fill() types no keys: only the input event tells the slug to follow.
    page.fill("#id_term", "Reward Hacking")
    assert page.input_value("#id_slug") == "reward-hacking"
    assert "/glossary/<slug>/" in page.inner_text("#id_slug_helptext")
    assert page.locator("input[name=_addanother]").count() == 1
    page.select_option("#id_category", index=1)
    page.fill("#id_summary", "A model games the measure it is trained on.")
    page.fill("#id_definition", "It finds a shortcut that scores well.")
    page.click("input[name=_submit]")
    page.wait_for_selector("text=Submitted for review.")
    text = page.inner_text(".workflow-panel")
    assert "In review: waiting for a reviewer." in text


def test_audit_log_is_compact_and_timestamps_stay_on_one_line(live_server, new_page):
    from editorial import audit

    base = live_server.url
    author = make_user("alice", role=AUTHOR)
    make_user("rita", role=REVIEWER)
    term = make_term(term="A term with a fairly long name for the audit log")
    fields = ["term", "slug", "category", "summary", "definition", "why_it_occurs"]
    for n in range(100):
        audit.record(
            audit.Action.EDIT,
            term,
            by=author,
            changed_fields=fields,
            comment=f"Edit number {n}: reworded the definition and linked the "
            "related incidents so that readers find the cases behind it.",
        )
    for width in (1024, 1366):
        page = new_page(width=width, height=800)
        log_in(page, base, "rita")
        page.goto(f"{base}/admin/audit-log/")
        rows = page.locator(".audit-table tbody tr")
        assert rows.count() == 50
        heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
        assert max(heights) < 60, (width, max(heights))
        lines = page.eval_on_selector_all(
            ".audit-table time", "els => els.map(e => e.getClientRects().length)"
        )
        assert set(lines) == {1}, width
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 3500, (width, height)
        assert rows.first.get_by_role("link", name=term.term, exact=True).count() == 1
        if width == 1366:
            screenshot(page, "admin-audit-log-1366")


def test_live_markdown_preview_beside_the_field_under_the_csp(live_server, new_page):
    from tests.browser.test_csp_admin import Watched

    base = live_server.url
    make_user("alice", role=AUTHOR)
    make_term(term="Large Language Model", slug="large-language-model")
    term = make_term(term="Agentic AI", definition="Plain.")
    watched = Watched(new_page(width=1366))
    page = watched.page
    log_in(page, base, "alice")
    page.goto(f"{base}/admin/glossary/term/{term.pk}/change/")
    preview = page.locator("#id_definition_preview")
    preview.get_by_text("Plain.").wait_for()
    page.fill(
        "#id_definition",
        "Built on a **large language model**. <img src=x onerror=alert(1)>",
    )
    preview.locator("strong").wait_for()
    link = preview.get_by_role("link", name="large language model")
    assert link.get_attribute("href") == "/glossary/large-language-model/"
    assert preview.locator("img").count() == 0
    field = page.locator("#id_definition").bounding_box()
    shown = preview.bounding_box()
    assert shown["x"] >= field["x"] + field["width"]  # beside it, not below
    for name in ("relation_to_threats", "why_it_occurs", "real_world_context"):
        assert page.locator(f"#id_{name}_preview").count() == 1
    screenshot(page, "admin-markdown-preview-1366")
    watched.assert_clean()
