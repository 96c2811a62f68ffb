"""Every public page type fits a phone and a desktop with the demo data loaded.

At 390 px and 1366 px: the document is never wider than the viewport (wide
tables and code blocks scroll in their own box), and no word inside a table
cell is broken across lines (a compound may break after its hyphen,
"Human-in-the-Loop", never a date, a code or a plain word). Charts' numbers
start folded behind "Show the numbers"; the check opens every <details>.
"""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from contributions.models import Submission, hash_token
from editorial.changelog import entry_history_url
from glossary.models import Term
from incidents.models import Domain, Incident, Organisation, Sector, ThreatPattern
from tests.browser.conftest import screenshot
from tests.factories import (
    make_dimension,
    make_domain,
    make_incident,
    make_pattern,
    make_term,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
LAYOUT_JS = (Path(__file__).parent / "js" / "layout.js").read_text()
STATUS_TOKEN = "layout-test-status-token"


def public_pages() -> dict[str, str]:
    incident = Incident.objects.published().order_by("code").first()
    submission = Submission.objects.order_by("pk").first()
    Submission.objects.filter(pk=submission.pk).update(
        token_hash=hash_token(STATUS_TOKEN)
    )
    term = Term.objects.published().get(slug="deepfake")
    return {
        "home": "/",
        "taxonomy": "/taxonomy/",
        "incidents": "/incidents/",
        "incidents-filtered": "/incidents/?severity=critical&year_from=2023",
        "incident": incident.get_absolute_url(),
        "pattern": ThreatPattern.objects.published().first().get_absolute_url(),
        "domain": Domain.objects.published().first().get_absolute_url(),
        "glossary": "/glossary/",
        "term": term.get_absolute_url(),
        "sectors": "/sectors/",
        "sector": Sector.objects.published().first().get_absolute_url(),
        "changes": "/changes/",
        "entry-changes": entry_history_url(incident),
        "digests": "/digests/",
        "digest": "/digests/2024/",
        "api": "/api/",
        "search": "/search/?q=deepfake",
        "search-empty": "/search/?q=zzzznothing",
        "submit": "/submit/",
        "correction": f"/submit/correction/?page={term.get_absolute_url()}",
        "status": f"/submit/status/{STATUS_TOKEN}/",
        "organisations": "/organisations/",
        "organisation": Organisation.objects.published()
        .filter(incident_roles__isnull=False)
        .first()
        .get_absolute_url(),
        "downloads": "/downloads/",
        "follow": "/follow/?target=new_incidents&email=reader@example.org",
        "not-found": "/no-such-page/",
    }


def test_every_public_page_fits_phone_and_desktop_without_broken_words(
    live_server, new_page
):
    call_command("load_demo", verbosity=0)
    pages = public_pages()
    problems = []
    for width in WIDTHS:
        page = new_page(width=width)
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            expected = 404 if name == "not-found" else 200
            assert response.status == expected, f"{path}: {response.status}"
            found = page.evaluate(LAYOUT_JS)
            if found["width"] > found["viewport"]:
                problems.append(f"{name} at {width}px is {found['width']}px wide")
            if found["broken"]:
                problems.append(f"{name} at {width}px breaks {found['broken']}")
            screenshot(page, f"layout-{name}-{width}")
    assert problems == []


def test_changelog_gives_date_type_and_summary_room(live_server, new_page):
    call_command("load_demo", verbosity=0)
    page = new_page(width=1366)
    page.goto(live_server.url + "/changes/")
    heads = page.locator("table.changes thead th").all_inner_texts()
    assert heads == ["Date", "Type", "Entry", "Summary"]
    first = page.locator("table.changes tbody tr").first
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    for cell in first.locator("td").all():
        # a short date, type or note sits on one line: nothing squeezed
        assert cell.bounding_box()["height"] < 1.5 * line + 16, cell.inner_text()
    assert first.locator("td").nth(3).inner_text() == "First published"
    screenshot(page, "layout-changes-1366")


def test_chart_numbers_start_folded_and_open_as_a_tidy_table(live_server, new_page):
    call_command("load_demo", verbosity=0)
    for width in WIDTHS:
        page = new_page(width=width)
        page.goto(live_server.url + "/")
        figure = page.locator(".chart-figure", has_text="Incidents per year, by domain")
        table = figure.locator("table")
        assert not table.is_visible()
        folded = page.evaluate("document.documentElement.scrollHeight")
        figure.get_by_text("Show the numbers").click()
        assert table.is_visible()
        # One line per year: a row is no taller than two lines of text.
        heights = table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => r.getBoundingClientRect().height)"
        )
        assert heights and max(heights) < 60, heights
        box = figure.locator(".table-scroll")
        assert box.evaluate("b => b.getBoundingClientRect().right") <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("document.documentElement.scrollHeight") > folded
        screenshot(page, f"layout-home-numbers-{width}")


def test_last_updated_shows_under_the_title_on_every_entry_page(live_server, new_page):
    domain = make_domain(last_updated=datetime.date(2024, 5, 1))
    pattern = make_pattern(domain, last_updated=datetime.date(2024, 5, 2))
    incident = make_incident(pattern, last_updated=datetime.date(2024, 5, 3))
    term = make_term(last_updated=datetime.date(2024, 5, 4))
    sector = make_dimension(Sector, last_updated=datetime.date(2024, 5, 5))
    entries = [domain, pattern, incident, term, sector]
    page = new_page(width=390, height=844)
    for entry in entries:
        page.goto(live_server.url + entry.get_absolute_url())
        expected = entry.last_updated.isoformat()
        title = page.locator("h1")
        under = page.locator(".updated-under-title")
        assert under.inner_text() == f"Last updated {expected}"
        # right under the title, on the first screen of a phone
        gap = under.bounding_box()["y"] - (
            title.bounding_box()["y"] + title.bounding_box()["height"]
        )
        assert 0 <= gap < 40, (entry, gap)
        assert under.bounding_box()["y"] < 844
        # and still at the foot of the page with the other dates
        assert f"Last updated: {expected}" in page.locator("footer .dates").inner_text()


def test_incident_filters_fold_on_a_phone_and_stay_open_on_a_desktop(
    live_server, new_page
):
    pattern = make_pattern()
    for n in range(30):
        make_incident(pattern, title=f"Incident number {n}", severity="high")
    phone = new_page(width=390, height=844)
    phone.goto(live_server.url + "/incidents/")
    first = phone.locator(".results li").first
    assert first.bounding_box()["y"] < 600
    assert not phone.locator("#id_severity").is_visible()
    phone.get_by_text("Filter and sort").click()
    phone.select_option("#id_severity", "high")
    phone.get_by_role("button", name="Apply filters").click()
    # the form's empty fields are dropped: one short address per list
    assert (
        phone.url
        == live_server.url
        + "/incidents/?sort=-date&pattern_scope=primary&severity=high"
    )
    assert phone.locator(".result-count").inner_text().startswith("30 incidents")
    screenshot(phone, "layout-incidents-folded-390")

    desktop = new_page(width=1366, height=900)
    desktop.goto(live_server.url + "/incidents/")
    assert desktop.locator("#id_severity").is_visible()
    assert desktop.locator(".results li").first.bounding_box()["y"] < 400

    # a reversed range opens the panel on a phone to say what is wrong
    phone.goto(live_server.url + "/incidents/?year_from=2024&year_to=2020")
    alert = phone.get_by_role("alert")
    assert alert.is_visible()
    assert "before it starts" in alert.inner_text()


def test_pages_carry_our_favicon(live_server, new_page):
    page = new_page(width=390)
    page.goto(live_server.url + "/")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    assert href.endswith(".svg")
    icon = page.request.get(live_server.url + href)
    assert icon.status == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text().startswith("<svg")
