"""The incident list answers at one short address per list, and says when a
year range is reversed instead of listing nothing."""

import pytest

from tests.factories import make_incident, make_pattern

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents():
    pattern = make_pattern()
    return [
        make_incident(pattern, date_occurred=f"{year}-05", title=f"Seen in {year}")
        for year in (2019, 2021, 2023)
    ]


def test_empty_parameters_redirect_to_the_clean_address_in_order(client):
    query = (
        "sort=severity&domain=&pattern=&pattern_scope=primary&severity=high"
        "&status=&evidence=&impact=&resolution=&year=&year_from=2020&year_to="
        "&sector=&region=&group=&pathway=&cause=&asset=&harm=&entity="
    )
    response = client.get(f"/incidents/?{query}")
    assert response.status_code == 302
    assert response["Location"] == (
        "/incidents/?sort=severity&pattern_scope=primary&severity=high&year_from=2020"
    )
    assert client.get(response["Location"]).status_code == 200


def test_only_empty_parameters_redirect_to_the_bare_list(client):
    response = client.get("/incidents/?domain=&severity=+&year")
    assert response.status_code == 302
    assert response["Location"] == "/incidents/"


def test_a_clean_address_is_served_as_it_is(client, incidents):
    assert client.get("/incidents/").status_code == 200
    assert client.get("/incidents/?year_from=2020&page=1").status_code == 200


def test_reversed_year_range_says_so_and_keeps_the_input(client, incidents):
    html = client.get("/incidents/?year_from=2023&year_to=2019").content.decode()
    assert "<li>To year: The range ends (2019) before it starts (2023)" in html
    assert 'role="alert"' in html
    assert (
        'name="year_from" min="1950" max="2100" inputmode="numeric" value="2023"'
        in (html)
    )
    assert 'name="year_to" min="1950" max="2100" inputmode="numeric" value="2019"' in (
        html
    )
    # the filters are open to show the message, and the list is not silently empty
    assert '<details class="filter-panel" id="filter-panel" open>' in html
    assert "0 incidents" not in html


def test_a_year_range_in_order_still_filters(client, incidents):
    html = client.get("/incidents/?year_from=2020&year_to=2023").content.decode()
    assert "2 incidents" in html and "before it starts" not in html


def test_the_api_refuses_a_reversed_year_range(client, incidents):
    response = client.get("/api/incidents.json?year_from=2023&year_to=2019")
    assert response.status_code == 400
    assert "year_to" in response.json()
