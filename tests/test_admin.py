"""Every admin change form loads and saves; bad input gets an editor's message."""

import pytest
from django.contrib import admin
from django.urls import reverse
from reversion.models import Version

from incidents.models import Incident, ThreatPattern
from tests.admin_forms import changeform_data
from tests.factories import (
    add_entity,
    add_source,
    make_category,
    make_domain,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def _make_one_of_each():
    incident = make_incident(narrative="Cited [1].")
    add_source(incident)
    add_entity(incident)
    term = make_term()
    term.related_incidents.add(incident)
    from incidents.models import DIMENSIONS, Framework, Organisation

    for model in DIMENSIONS.values():
        extra = {"category": "individuals"} if model.__name__ == "AffectedGroup" else {}
        if model.__name__ == "CausalFactor":
            extra = {"code": "CAUSE-001", "category": "design_development"}
        model.objects.create(
            name=f"A {model.__name__}", slug=model.__name__.lower(), **extra
        )
    Framework.objects.create(name="EU AI Act", slug="eu-ai-act")
    Organisation.objects.get_or_create(name="Acme", defaults={"slug": "acme"})


def test_every_admin_change_form_loads_and_saves(superuser_client):
    _make_one_of_each()
    for model in admin.site._registry:
        if model._meta.app_label not in {"incidents", "glossary"}:
            continue
        obj = model.objects.first()
        assert obj is not None, model
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = superuser_client.get(url)
        assert page.status_code == 200, model
        response = superuser_client.post(url, changeform_data(page))
        errors = getattr(response, "context", None) and response.context.get("errors")
        assert response.status_code == 302, (model, errors)
        add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert superuser_client.get(add_url).status_code == 200, model
        assert (
            superuser_client.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            ).status_code
            == 200
        )


def test_admin_save_records_a_revision_with_relations(superuser_client):
    incident = make_incident(narrative="Cited [1].")
    add_source(incident, title="First source")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = changeform_data(superuser_client.get(url))
    data["title"] = "Retitled incident"
    assert superuser_client.post(url, data).status_code == 302
    versions = Version.objects.get_for_object(incident)
    assert versions.count() == 1
    revision_models = {
        v.content_type.model for v in versions.first().revision.version_set.all()
    }
    assert {"incident", "incidentsource"} <= revision_models


def _incident_post(client, **changes):
    pattern = make_pattern()
    add_url = reverse("admin:incidents_incident_add")
    data = changeform_data(client.get(add_url))
    data.update(
        {
            "title": "A new incident",
            "slug": "a-new-incident",
            "summary": "It happened.",
            "narrative": "It happened [1].",
            "date_occurred": "2024-01-18",
            "status": "confirmed",
            "severity": "low",
            "evidence_level": "primary",
            "impact_level": "organization",
            "resolution": "open",
            "primary_pattern": str(pattern.pk),
            "sources-TOTAL_FORMS": "1",
            "sources-0-position": "1",
            "sources-0-title": "A report",
            "sources-0-source_type": "journalism",
            "sources-0-url": "https://example.org/a",
        }
    )
    data.update(changes)
    return client.post(add_url, data)


def test_admin_adds_incident_and_assigns_its_code(superuser_client):
    response = _incident_post(superuser_client)
    assert response.status_code == 302
    assert Incident.objects.get().code == "INC-24-0001"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "INC-2024-1"}, "Use INC-, the two-digit year occurred"),
        ({"primary_pattern": ""}, "This field is required."),
        ({"date_occurred": "18 Jan 2024"}, "Use YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"narrative": "See [1] and [2]."}, "The narrative cites [2] but the incident"),
        (
            {"code": "INC-23-0001"},
            "The code&#x27;s year (23) must be the year occurred",
        ),
    ],
)
def test_admin_refuses_bad_incidents_with_a_clear_message(
    superuser_client, changes, message
):
    response = _incident_post(superuser_client, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Incident.objects.exists()


def test_admin_refuses_more_than_two_exposure_pathways(superuser_client):
    from incidents.models import ExposurePathway

    pathways = [
        ExposurePathway.objects.create(name=f"P{i}", slug=f"p{i}") for i in range(3)
    ]
    response = _incident_post(
        superuser_client, exposure_pathways=[str(p.pk) for p in pathways]
    )
    assert "Choose at most 2 exposure pathways" in response.content.decode()
    assert not Incident.objects.exists()


def test_admin_refuses_duplicate_codes_and_slugs(superuser_client):
    existing = make_incident(date_occurred="2024-02")
    response = _incident_post(superuser_client, code=existing.code)
    assert "Incident with this Code already exists." in response.content.decode()
    domain = make_domain(code="DOM-SEC", slug="security-cyber")
    url = reverse("admin:incidents_domain_add")
    data = changeform_data(superuser_client.get(url))
    data.update(
        code="DOM-SEC",
        title="t",
        short_title="t",
        slug=domain.slug,
        tagline="t",
        definition="d",
    )
    html = superuser_client.post(url, data).content.decode()
    assert "Domain with this Code already exists." in html
    assert "Domain with this Slug already exists." in html


def test_admin_refuses_pattern_without_domain(superuser_client):
    url = reverse("admin:incidents_threatpattern_add")
    data = changeform_data(superuser_client.get(url))
    data.update(
        code="PAT-SEC-001",
        title="t",
        slug="t",
        tagline="t",
        definition="d",
        severity="high",
        likelihood="stable",
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ThreatPattern.objects.exists()


def test_admin_term_form_refuses_bad_same_as(superuser_client):
    url = reverse("admin:glossary_term_add")
    data = changeform_data(superuser_client.get(url))
    data.update(
        term="Deepfake",
        slug="deepfake",
        category=str(make_category().pk),
        summary="s",
        definition="d",
        same_as="https://en.wikipedia.org/wiki/Deepfake\nnot a url",
    )
    html = superuser_client.post(url, data).content.decode()
    assert "Line 2 is not a web address: not a url" in html


def test_bulk_approve_goes_through_the_workflow_per_entry(superuser_client):
    from editorial import services

    writer = make_user("writer", role="Author")
    ready = make_term(state="draft", last_updated=None, first_published=None)
    not_submitted = make_term(state="draft", last_updated=None, first_published=None)
    for term in (ready, not_submitted):
        services.save_draft(term, by=writer)
    services.submit(ready, by=writer)
    url = reverse("admin:glossary_term_changelist")
    response = superuser_client.post(
        url,
        {
            "action": "approve_selected",
            "_selected_action": [ready.pk, not_submitted.pk],
        },
        follow=True,
    )
    ready.refresh_from_db()
    not_submitted.refresh_from_db()
    assert ready.state == "published" and ready.last_updated is not None
    assert not_submitted.state == "draft"
    assert "Only a change in review can be approved." in response.content.decode()
    assert Version.objects.get_for_object(ready).count() == 2  # draft, published


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "model_name", ["incidents_incident", "glossary_term", "incidents_threatpattern"]
)
def test_admin_change_list_query_count_is_fixed(superuser_client, model_name):
    url = reverse(f"admin:{model_name}_changelist")
    pattern = make_pattern()
    for _ in range(2):
        make_incident(pattern)
        make_term()
        make_pattern(pattern.domain)
    _count_queries(superuser_client, url)  # warm the content-type cache
    few = _count_queries(superuser_client, url)
    for _ in range(8):
        make_incident(pattern)
        make_term()
        make_pattern(pattern.domain)
    assert _count_queries(superuser_client, url) == few
