"""A reader's path through the public site, with axe-core on every page type.

Screenshots at phone (390px) and desktop (1280px) widths go to test-artifacts/.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from incidents.models import Region, Sector
from tests.browser.conftest import screenshot
from tests.factories import (
    add_entity,
    add_source,
    make_dimension,
    make_domain,
    make_incident,
    make_pattern,
    make_term,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 390, 1280


@pytest.fixture
def site():
    security = make_domain(
        code="DOM-SEC", title="Security & Cyber", short_title="Security", slug="sec"
    )
    info = make_domain(
        code="DOM-INF", title="Information Integrity", short_title="Info", slug="inf"
    )
    injection = make_pattern(
        security, code="PAT-SEC-001", title="Prompt Injection", slug="injection"
    )
    deepfakes = make_pattern(
        info, code="PAT-INF-001", title="Deepfake Identity Hijacking", slug="deepfakes"
    )
    finance = make_dimension(Sector, name="Financial services", slug="finance")
    asia = make_dimension(Region, name="Asia", slug="asia")
    arup = make_incident(
        deepfakes,
        code="INC-24-0001",
        date_occurred="2024-01",
        title="Deepfake video call defrauds an engineering firm",
        slug="deepfake-video-call",
        summary="Staff paid out after a call with deepfaked executives.",
        narrative="An employee joined a video call [1].",
        severity="critical",
    )
    arup.sectors.add(finance)
    arup.regions.add(asia)
    add_source(arup, title="Police briefing")
    add_entity(arup, name="Arup", role="victim")
    for n in range(4):
        make_incident(
            injection,
            date_occurred=f"2023-0{n + 1}",
            title=f"Chatbot leaks its instructions {n}",
            severity=("high", "low", "medium", "critical")[n],
        )
    make_incident(deepfakes, date_occurred="2023-11", title="Voice clone robocall")
    make_term(term="Voice Cloning", slug="voice-cloning")
    make_term(
        term="Deepfake",
        slug="deepfake",
        summary="Synthetic media of a real person.",
        definition="Used in INC-24-0001; see also Voice Cloning and "
        "Deepfake Identity Hijacking.",
    ).related_incidents.add(arup)
    return {"arup": arup}


def check_accessibility(page, name: str) -> None:
    results = Axe().run(page)
    violations = results.response["violations"]
    summary = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
    ]
    assert not violations, f"{name}: {summary}"


def record_external(found: list[str], base: str):
    """Return a request listener that notes requests to any other host."""

    def listener(request) -> None:
        if not request.url.startswith((base, "data:")):
            found.append(request.url)

    return listener


PAGES = {
    "home": "/",
    "incidents": "/incidents/?domain=inf",
    "incident": "/incidents/INC-24-0001/",
    "pattern": "/patterns/deepfakes/",
    "domain": "/domains/sec/",
    "glossary": "/glossary/",
    "term": "/glossary/deepfake/",
    "search": "/search/?q=deepfake",
    "digest": "/digests/2023/",
    "sector": "/sectors/finance/",
    "sectors": "/sectors/",
    "taxonomy": "/taxonomy/",
    "not-found": "/no-such-page/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_passes_axe_at_phone_and_desktop_widths(
    live_server, new_page, site, scheme
):
    for width in (PHONE, DESKTOP):
        page = new_page(width=width)
        page.emulate_media(color_scheme=scheme)
        external: list[str] = []
        page.on("request", record_external(external, live_server.url))
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            check_accessibility(page, f"{name} at {width}px, {scheme}")
            if scheme == "light" or name in {"home", "incident"}:
                screenshot(page, f"reading-{name}-{width}-{scheme}")
        assert external == [], "the public pages must not call other hosts"


def test_reader_filters_opens_follows_a_term_and_searches_a_code(
    live_server, new_page, site
):
    page = new_page(width=DESKTOP)
    page.goto(live_server.url + "/incidents/")
    page.select_option("#id_domain", "inf")
    page.select_option("#id_year", "2024")
    page.get_by_role("button", name="Apply filters").click()
    assert "domain=inf" in page.url and "year=2024" in page.url
    assert page.locator(".result-count").inner_text().startswith("1 incident")
    page.get_by_role("link", name="INC-24-0001").first.click()
    assert page.url.endswith("/incidents/INC-24-0001-deepfake-video-call/")
    page.get_by_role("link", name="Deepfake", exact=True).click()
    assert page.url.endswith("/glossary/deepfake/")
    # auto-links in the definition lead on to the pattern and the other term
    definition = page.locator("section", has_text="Definition").first
    assert definition.get_by_role("link", name="Voice Cloning").count() == 1
    page.fill("#site-search-q", "INC-24-0001")
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/INC-24-0001-deepfake-video-call/")
    screenshot(page, "reading-flow-end-1280")


def test_keyboard_reaches_skip_link_search_and_filters(live_server, new_page, site):
    page = new_page(width=PHONE)
    page.goto(live_server.url + "/incidents/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # on a phone the filters start folded; their summary opens them from the keyboard
    assert not page.locator("#id_severity").is_visible()
    page.focus(".filter-panel > summary")
    page.keyboard.press("Enter")
    page.focus("#id_severity")
    page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#id_severity", "select => select.value") != ""
    page.focus("button[type=submit] >> text=Apply filters")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "severity=" in page.url


def test_layout_does_not_scroll_sideways_on_a_phone(live_server, new_page, site):
    page = new_page(width=PHONE)
    for path in PAGES.values():
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px: {wide}"
