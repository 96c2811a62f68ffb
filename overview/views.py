"""Reader pages that span the whole knowledge base: home and taxonomy."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from glossary.models import Term
from incidents.models import DIMENSIONS, Domain, Incident, ThreatPattern

RECENT = 6


def home(request: HttpRequest) -> HttpResponse:
    incidents = Incident.objects.published()
    recently_updated = sorted(
        [
            *Term.objects.published().order_by("-last_updated", "term")[:RECENT],
            *ThreatPattern.objects.published().order_by("-last_updated", "code")[
                :RECENT
            ],
            *incidents.order_by("-last_updated", "-code")[:RECENT],
        ],
        key=lambda entry: entry.last_updated,
        reverse=True,
    )[:RECENT]
    return render(
        request,
        "overview/home.html",
        {
            "counts": {
                "domains": Domain.objects.published().count(),
                "patterns": ThreatPattern.objects.published().count(),
                "incidents": incidents.count(),
                "terms": Term.objects.published().count(),
            },
            "latest_incidents": incidents.select_related(
                "primary_pattern__domain"
            ).order_by("-date_occurred", "-code")[:RECENT],
            "recently_updated": recently_updated,
            "domains": Domain.objects.published(),
        },
    )


def taxonomy(request: HttpRequest) -> HttpResponse:
    published_incident = Q(patterns__primary_incidents__state="published")
    domains = Domain.objects.published().annotate(
        pattern_count=Count(
            "patterns", filter=Q(patterns__state="published"), distinct=True
        ),
        incident_count=Count(
            "patterns__primary_incidents",
            filter=published_incident & Q(patterns__state="published"),
            distinct=True,
        ),
    )
    dimensions = [
        (prefix, model._meta.verbose_name_plural, model.objects.published())
        for prefix, model in DIMENSIONS.items()
    ]
    return render(
        request,
        "overview/taxonomy.html",
        {"domains": domains, "dimensions": dimensions},
    )
