import pytest
from django.core.exceptions import ValidationError

from incidents.models import Domain, Incident, IncidentCodeCounter, ThreatPattern
from tests.factories import make_domain, make_incident, make_pattern

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["DOM-sec", "DOM-SECU", "DM-SEC", "SEC", "DOM-SE1"])
def test_bad_domain_codes_are_refused(code):
    domain = Domain(
        code=code,
        title="t",
        short_title="t",
        slug="t",
        tagline="t",
        definition="d",
    )
    with pytest.raises(ValidationError) as error:
        domain.full_clean()
    assert "DOM- followed by three capital letters" in str(error.value)


@pytest.mark.parametrize("code", ["PAT-SEC-1", "PAT-SE-001", "pat-sec-001"])
def test_bad_pattern_codes_are_refused(code):
    pattern = ThreatPattern(
        code=code,
        title="t",
        slug="t",
        tagline="t",
        definition="d",
        severity="high",
        likelihood="stable",
        domain=make_domain(code="DOM-SEC"),
    )
    with pytest.raises(ValidationError) as error:
        pattern.full_clean()
    assert "code" in error.value.message_dict


def test_pattern_code_must_carry_its_domain_letters():
    pattern = ThreatPattern(
        code="PAT-INF-001",
        title="t",
        slug="t",
        tagline="t",
        definition="d",
        severity="high",
        likelihood="stable",
        domain=make_domain(code="DOM-SEC"),
    )
    with pytest.raises(ValidationError) as error:
        pattern.full_clean()
    assert "PAT-SEC-" in error.value.message_dict["code"][0]


def test_incident_code_is_assigned_from_the_year_occurred():
    first = make_incident(date_occurred="2023-05")
    second = make_incident(
        date_occurred="2023-11-02", primary_pattern=first.primary_pattern
    )
    other_year = make_incident(
        date_occurred="2019", primary_pattern=first.primary_pattern
    )
    assert first.code == "INC-23-0001"
    assert second.code == "INC-23-0002"
    assert other_year.code == "INC-19-0001"


def test_incident_codes_are_never_reused_after_deletion():
    incident = make_incident(date_occurred="2024-01-18")
    assert incident.code == "INC-24-0001"
    pattern = incident.primary_pattern
    incident.delete()
    assert make_incident(date_occurred="2024-02", primary_pattern=pattern).code == (
        "INC-24-0002"
    )


def test_hand_given_code_moves_the_sequence_past_it():
    incident = make_incident(code="INC-23-0007", date_occurred="2023")
    assert IncidentCodeCounter.objects.get(year=2023).last_number == 7
    assert make_incident(
        date_occurred="2023", primary_pattern=incident.primary_pattern
    ).code == ("INC-23-0008")


def test_partial_dates_store_their_precision():
    pattern = make_pattern()
    assert (
        make_incident(date_occurred="2020", primary_pattern=pattern).date_precision
        == "year"
    )
    assert (
        make_incident(date_occurred="2020-03", primary_pattern=pattern).date_precision
        == "month"
    )
    day = make_incident(date_occurred="2020-03-09", primary_pattern=pattern)
    assert (day.date_precision, day.occurred_year) == ("day", 2020)


@pytest.mark.parametrize("value", ["2020-13", "20-03-01", "2020-02-40", "March 2020"])
def test_malformed_dates_are_refused(value):
    incident = Incident(date_occurred=value)
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in error.value.message_dict["date_occurred"][0]


def test_incident_code_year_must_match_the_year_occurred():
    incident = make_incident(date_occurred="2023")
    incident.code = "INC-22-0001"
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert "year occurred (2023)" in error.value.message_dict["code"][0]


def test_dangling_footnotes_are_found():
    incident = Incident(narrative="One [1], two [2] and [5]. A link [x](http://a.b).")
    assert incident.dangling_footnotes(2) == [5]
    assert incident.dangling_footnotes(5) == []
