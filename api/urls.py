from django.urls import path, re_path

from incidents.models import INCIDENT_CODE_RE

from . import openapi, views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", openapi.openapi, name="openapi"),
    path("threats.json", views.ThreatsView.as_view(), name="threats"),
    path("incidents.json", views.IncidentListView.as_view(), name="incidents"),
    path("incidents.csv", views.IncidentCsvView.as_view(), name="incidents_csv"),
    path("glossary.json", views.GlossaryView.as_view(), name="glossary"),
    path("graph.json", views.GraphView.as_view(), name="graph"),
    path("citations.json", views.CitationsView.as_view(), name="citations"),
    path(
        "organisations.json",
        views.OrganisationListView.as_view(),
        name="organisations",
    ),
    re_path(
        r"^organisations/(?P<key>[-a-zA-Z0-9_]+)\.json$",
        views.OrganisationDetailView.as_view(),
        name="organisation",
    ),
    re_path(
        rf"^incidents/(?P<key>{INCIDENT_CODE_RE})\.json$",
        views.IncidentDetailView.as_view(),
        name="incident",
    ),
    re_path(
        r"^glossary/(?P<key>[-a-zA-Z0-9_]+)\.json$",
        views.TermDetailView.as_view(),
        name="term",
    ),
    re_path(
        r"^patterns/(?P<key>PAT-[A-Z]{3}-\d{3})\.json$",
        views.PatternDetailView.as_view(),
        name="pattern",
    ),
    re_path(
        r"^domains/(?P<key>DOM-[A-Z]{3})\.json$",
        views.DomainDetailView.as_view(),
        name="domain",
    ),
    # Last: any other address under /api/ is a 404 in JSON, not the HTML page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
