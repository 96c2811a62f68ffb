"""Public pages of the taxonomy and the incidents; published entries only."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import DetailView

from .filters import IncidentFilter
from .models import (
    DIMENSIONS,
    AffectedGroup,
    Asset,
    CausalFactor,
    Domain,
    ExposurePathway,
    HarmType,
    Incident,
    Region,
    Sector,
    Severity,
    ThreatPattern,
)
from .stats import incident_figures

INCIDENTS_PER_PAGE = 25


def published_incidents():
    """Return published incidents with what a list row shows."""
    return Incident.objects.published().select_related("primary_pattern__domain")


class DomainDetailView(DetailView):
    template_name = "incidents/domain_detail.html"

    def get_queryset(self):
        return Domain.objects.published().prefetch_related(
            "framework_mappings__framework"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        domain = self.object
        incidents = Incident.objects.published().filter(primary_pattern__domain=domain)
        context["patterns"] = (
            domain.patterns.published()
            .annotate(
                incident_count=Count(
                    "primary_incidents",
                    filter=Q(primary_incidents__state="published"),
                )
            )
            .order_by("code")
        )
        context["figures"] = incident_figures(incidents)
        context["top_incidents"] = (
            published_incidents()
            .filter(primary_pattern__domain=domain)
            .by_severity()[:5]
        )
        return context


class PatternDetailView(DetailView):
    template_name = "incidents/pattern_detail.html"

    def get_queryset(self):
        return (
            ThreatPattern.objects.published()
            .filter(domain__state="published")
            .select_related("domain")
            .prefetch_related(
                "framework_mappings__framework",
                Prefetch(
                    "related_patterns",
                    queryset=ThreatPattern.objects.published().order_by("title"),
                ),
                Prefetch("affected_groups", queryset=AffectedGroup.objects.published()),
                Prefetch("sectors", queryset=Sector.objects.published()),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pattern = self.object
        incidents = Incident.objects.published().filter(
            Q(primary_pattern=pattern) | Q(secondary_patterns=pattern)
        )
        context["incident_count"] = incidents.values("pk").distinct().count()
        context["top_incidents"] = (
            published_incidents()
            .filter(pk__in=incidents.values("pk"))
            .by_severity()[:5]
        )
        context["terms"] = pattern.terms.published().order_by("term")
        context["structured_data"] = article_data(
            pattern, self.request, headline=pattern.title
        )
        return context


def incident_list(request: HttpRequest) -> HttpResponse:
    incident_filter = IncidentFilter(request.GET, queryset=published_incidents())
    paginator = Paginator(incident_filter.qs, INCIDENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "filter": incident_filter,
            "page_obj": page,
            "incidents": page.object_list,
            "query": query.urlencode(),
        },
    )


def incident_detail(request: HttpRequest, code: str, slug: str = "") -> HttpResponse:
    queryset = (
        Incident.objects.published()
        .select_related("primary_pattern__domain")
        .prefetch_related(
            "sources",
            "entities__organisation",
            Prefetch(
                "secondary_patterns",
                queryset=ThreatPattern.objects.published().select_related("domain"),
            ),
            *(
                Prefetch(name, queryset=model.objects.published())
                for name, model in (
                    ("affected_groups", AffectedGroup),
                    ("sectors", Sector),
                    ("regions", Region),
                    ("exposure_pathways", ExposurePathway),
                    ("causal_factors", CausalFactor),
                    ("assets", Asset),
                    ("harm_types", HarmType),
                )
            ),
        )
    )
    incident = get_object_or_404(queryset, code=code)
    if slug != incident.slug:
        return redirect(incident, permanent=True)
    dimensions = [
        (model._meta.verbose_name_plural, getattr(incident, model.incident_field).all())
        for model in DIMENSIONS.values()
    ]
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "dimensions": dimensions,
            "terms": incident.terms.published().order_by("term"),
            "structured_data": article_data(
                incident, request, headline=f"{incident.code} {incident.title}"
            ),
        },
    )


def article_data(entry, request: HttpRequest, *, headline: str) -> dict:
    """Return schema.org Article data for an incident or pattern page."""
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": headline,
        "identifier": entry.code,
        "description": getattr(entry, "summary", "") or getattr(entry, "tagline", ""),
        "url": request.build_absolute_uri(entry.get_absolute_url()),
        "datePublished": entry.first_published.date().isoformat()
        if entry.first_published
        else None,
        "dateModified": entry.last_updated.isoformat() if entry.last_updated else None,
        "publisher": {"@type": "Organization", "name": "Threatwatch"},
    }


def dimension_index(request: HttpRequest, dimension: str) -> HttpResponse:
    model = DIMENSIONS.get(dimension)
    if model is None:
        raise Http404("No such dimension.")
    values = model.objects.published().annotate(
        incident_count=Count("incident", filter=Q(incident__state="published"))
    )
    return render(
        request,
        "incidents/dimension_list.html",
        {"model": model, "dimension": dimension, "values": values},
    )


def dimension_detail(request: HttpRequest, dimension: str, slug: str) -> HttpResponse:
    model = DIMENSIONS.get(dimension)
    if model is None:
        raise Http404("No such dimension.")
    value = get_object_or_404(model.objects.published(), slug=slug)
    incidents = published_incidents().filter(**{model.incident_field: value})
    page = Paginator(incidents, INCIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/dimension_detail.html",
        {
            "model": model,
            "dimension": dimension,
            "value": value,
            "figures": incident_figures(incidents),
            "page_obj": page,
            "incidents": page.object_list,
            "severities": Severity,
        },
    )
