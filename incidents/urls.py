from django.urls import path, re_path

from . import organisation_views, views
from .models import DIMENSIONS, INCIDENT_CODE_RE

app_name = "incidents"

dimension = "(?P<dimension>" + "|".join(DIMENSIONS) + ")"

urlpatterns = [
    path(
        "domains/<slug:slug>/", views.DomainDetailView.as_view(), name="domain_detail"
    ),
    path(
        "patterns/<slug:slug>/",
        views.PatternDetailView.as_view(),
        name="pattern_detail",
    ),
    path("incidents/", views.incident_list, name="incident_list"),
    re_path(
        rf"^incidents/(?P<code>{INCIDENT_CODE_RE})(?:-(?P<slug>[-a-zA-Z0-9_]+))?/$",
        views.incident_detail,
        name="incident_detail",
    ),
    path(
        "organisations/",
        organisation_views.organisation_index,
        name="organisation_list",
    ),
    re_path(
        r"^organisations/(?P<slug>[-a-zA-Z0-9_]+)/$",
        organisation_views.organisation_detail,
        name="organisation_detail",
    ),
    re_path(rf"^{dimension}/$", views.dimension_index, name="dimension_list"),
    re_path(
        rf"^{dimension}/(?P<slug>[-a-zA-Z0-9_]+)/$",
        views.dimension_detail,
        name="dimension_detail",
    ),
]
