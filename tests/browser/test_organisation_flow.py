"""A reader goes from an incident to an organisation, on to another of its
incidents, and from there to a similar incident; the new pages pass axe."""

import datetime

import pytest
from django.utils import timezone

from downloads import builder
from tests.browser.conftest import screenshot
from tests.browser.test_reading import check_accessibility
from tests.factories import add_entity, make_domain, make_incident, make_pattern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    domain = make_domain(code="DOM-SEC", short_title="Security", slug="sec")
    injection = make_pattern(domain, title="Prompt Injection", slug="injection")
    agents = make_pattern(domain, title="Agent Overreach", slug="agents")
    first = make_incident(
        injection,
        code="INC-23-0001",
        title="Search chatbot reveals its hidden instructions",
        slug="hidden-instructions",
        date_occurred="2023-02",
    )
    add_entity(first, name="Contoso", role="developer")
    second = make_incident(
        agents,
        code="INC-25-0001",
        title="Coding agent wipes a production database",
        slug="agent-wipes-database",
        date_occurred="2025-07",
        severity="high",
    )
    add_entity(second, name="Contoso", role="deployer")
    similar = make_incident(
        agents,
        code="INC-25-0002",
        title="Coding agent deletes a customer's files",
        slug="agent-deletes-files",
        date_occurred="2025-09",
    )
    add_entity(similar, name="Fabrikam", role="developer")
    return {"first": first, "second": second, "similar": similar}


def test_incident_to_organisation_to_its_other_incident_to_a_similar_one(
    live_server, new_page, site
):
    page = new_page(width=1280)
    page.goto(live_server.url + site["first"].get_absolute_url())
    page.get_by_role("link", name="Contoso", exact=True).click()
    page.wait_for_url("**/organisations/contoso/")
    assert page.locator("h1").inner_text() == "Contoso"
    deployer = page.locator("#role-deployer")
    assert "1 incident" in deployer.locator("h2").inner_text()
    check_accessibility(page, "organisation page")
    screenshot(page, "organisation-page-1280")
    deployer.get_by_role(
        "link", name="Coding agent wipes a production database"
    ).click()
    page.wait_for_url("**/incidents/INC-25-0001-agent-wipes-database/")
    similar = page.locator("section.similar")
    assert "same pattern: Agent Overreach" in similar.inner_text()
    similar.get_by_role("link", name="Coding agent deletes a customer's files").click()
    page.wait_for_url("**/incidents/INC-25-0002-agent-deletes-files/")
    assert page.locator("h1").inner_text() == "Coding agent deletes a customer's files"
    screenshot(page, "similar-incident-1280")


def test_organisation_index_and_downloads_pass_axe(live_server, new_page, site):
    builder.build()
    builder.build(now=timezone.now() - datetime.timedelta(weeks=1))
    page = new_page(width=390)
    for name, path in (
        ("organisations", "/organisations/"),
        ("downloads", "/downloads/"),
    ):
        page.goto(live_server.url + path)
        check_accessibility(page, f"{name} page")
        screenshot(page, f"{name}-390")
