"""Facet counts from one statement per set equal counting each value on its own.

A seeded random corpus (patterns in two domains, several values of every
dimension, secondary patterns, organisations named twice in one incident, a
draft) and many filter combinations: every option of every facet must show the
number of published incidents that match the other active filters and that
value, counted the slow and obvious way.
"""

import random

import pytest
from django.http import QueryDict

from editorial.models import State
from incidents.filters import CHOICE_FACETS, DIMENSION_FILTERS, IncidentFilter
from incidents.models import Incident, IncidentEntity, Severity
from tests.factories import (
    add_entity,
    make_dimension,
    make_domain,
    make_incident,
    make_pattern,
)

pytestmark = pytest.mark.django_db
CHOICES = {
    "severity": [value for value, _ in Severity.choices],
    "status": [value for value, _ in Incident.Status.choices],
    "evidence": [value for value, _ in Incident.Evidence.choices],
    "impact": [value for value, _ in Incident.Impact.choices],
    "resolution": [value for value, _ in Incident.Resolution.choices],
}


@pytest.fixture
def world():
    rng = random.Random(7)
    domains = [make_domain(slug=f"d{n}") for n in range(2)]
    patterns = [make_pattern(domains[n % 2], slug=f"p{n}") for n in range(4)]
    values = {
        name: [make_dimension(model, slug=f"{name}-{n}") for n in range(3)]
        for name, (model, _) in DIMENSION_FILTERS.items()
    }
    for n in range(24):
        incident = make_incident(
            rng.choice(patterns),
            date_occurred=f"{rng.choice([2021, 2022, 2023])}-0{rng.randint(1, 9)}",
            severity=rng.choice(CHOICES["severity"]),
            status=rng.choice(CHOICES["status"]),
            evidence_level=rng.choice(CHOICES["evidence"]),
            impact_level=rng.choice(CHOICES["impact"]),
            resolution=rng.choice(CHOICES["resolution"]),
            state=State.DRAFT if n == 0 else State.PUBLISHED,
        )
        incident.secondary_patterns.add(*rng.sample(patterns, rng.randint(0, 2)))
        for name, (_, field) in DIMENSION_FILTERS.items():
            getattr(incident, field).add(*rng.sample(values[name], rng.randint(0, 2)))
        for _ in range(rng.randint(0, 2)):
            add_entity(incident, name=f"Org {rng.randint(1, 3)}")
    return {"domains": domains, "patterns": patterns, "values": values}


def expected(incident_filter: IncidentFilter, name: str, option: str) -> int:
    """Count the published incidents matching the other filters and the option."""
    data = incident_filter.data.copy()
    data[name] = option
    alone = IncidentFilter(data, queryset=Incident.objects.published())
    assert alone.is_valid(), alone.errors
    return alone.queryset_without().values("pk").distinct().count()


def combinations(world) -> list[dict]:
    rng = random.Random(11)
    pool = {
        "domain": [d.slug for d in world["domains"]],
        "pattern": [p.slug for p in world["patterns"]],
        "year": ["2021", "2022"],
        "year_from": ["2022"],
        **CHOICES,
        **{name: [v.slug for v in vals] for name, vals in world["values"].items()},
        "entity": ["org-1", "org-2"],
    }
    found = [{}, {"pattern_scope": "any"}]
    for _ in range(25):
        names = rng.sample(sorted(pool), rng.randint(1, 3))
        query = {name: rng.choice(pool[name]) for name in names}
        if rng.random() < 0.5:
            query["pattern_scope"] = "any"
        found.append(query)
    return found


def test_every_option_counts_what_it_would_list(world):
    assert IncidentEntity.objects.values("organisation__slug").distinct().count() > 1
    for query in combinations(world):
        data = QueryDict(mutable=True)
        data.update(query)
        incident_filter = IncidentFilter(data, queryset=Incident.objects.published())
        assert incident_filter.is_valid(), (query, incident_filter.errors)
        facets = {facet.name: facet for facet in incident_filter.facets()}
        assert incident_filter.match_count == incident_filter.qs.count(), query
        assert set(facets) == {
            "domain",
            "pattern",
            *CHOICE_FACETS,
            "year",
            *DIMENSION_FILTERS,
            "entity",
        }
        for name, facet in facets.items():
            for option in facet.options:
                assert option.count == expected(incident_filter, name, option.value), (
                    query,
                    name,
                    option.value,
                )


def test_a_draft_never_counts(world):
    draft = Incident.objects.exclude(state=State.PUBLISHED).get()
    incident_filter = IncidentFilter(QueryDict(), queryset=Incident.objects.published())
    facets = {facet.name: facet for facet in incident_filter.facets()}
    total = Incident.objects.published().count()
    assert sum(o.count for o in facets["severity"].options) == total
    assert sum(o.count for o in facets["domain"].options) == total
    assert draft.pk not in Incident.objects.published().values_list("pk", flat=True)
