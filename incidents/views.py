"""Public pages of the taxonomy and the incidents; published entries only."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import DetailView

from editorial.models import State

from . import metadata
from .filters import DIMENSION_FILTERS, IncidentFilter, without_empty_parameters
from .models import (
    DIMENSIONS,
    AffectedGroup,
    Asset,
    CausalFactor,
    Domain,
    ExposurePathway,
    HarmType,
    Incident,
    IncidentEntity,
    Region,
    RetiredSlug,
    Sector,
    Severity,
    ThreatPattern,
)
from .similar import LISTED_FIELDS as SIMILAR_FIELDS
from .similar import similar_incidents
from .stats import incident_figures, pattern_figures

RELATED_SHOWN = 60
INCIDENTS_PER_PAGE = 25
FILTER_PARAMETER = {model: name for name, (model, _) in DIMENSION_FILTERS.items()}


def published_incidents() -> QuerySet:
    """Return published incidents with what a list row shows."""
    return Incident.objects.published().select_related("primary_pattern__domain")


def page_of(paginator: Paginator, number: str | None) -> tuple[Page, str]:
    """Return the asked page, or the nearest one with a message saying why."""
    try:
        return paginator.page(number or 1), ""
    except PageNotAnInteger:
        return paginator.page(1), "The page number was not a number; showing page 1."
    except EmptyPage:
        last = paginator.num_pages
        return paginator.page(last), f"There is no such page; showing page {last}."


class RetiredSlugRedirectMixin:
    """Send an old slug of an entry to its current page (301)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            self.object = self.get_object()
        except Http404:
            entry = RetiredSlug.current(self.get_queryset(), kwargs["slug"])
            if entry is None:
                raise
            return redirect(entry, permanent=True)
        citation = self.get_citation()
        if metadata.bibtex_requested(request):
            return metadata.bibtex_response(citation)
        context = self.get_context_data(object=self.object, citation=citation)
        return self.render_to_response(context)


class DomainDetailView(RetiredSlugRedirectMixin, DetailView):
    template_name = "incidents/domain_detail.html"

    def get_queryset(self) -> QuerySet:
        return Domain.objects.published().prefetch_related(
            "framework_mappings__framework"
        )

    def get_citation(self) -> metadata.Citation:
        return metadata.cite(self.object, kind="Domain", title=self.object.title)

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
        context["structured_data"] = metadata.article_data(
            domain, headline=domain.title, description=domain.tagline
        )
        context["breadcrumbs"] = metadata.breadcrumb_data(
            [
                ("Home", reverse("overview:home")),
                ("Taxonomy", reverse("overview:taxonomy")),
                (domain.short_title, domain.get_absolute_url()),
            ]
        )
        return context


class PatternDetailView(RetiredSlugRedirectMixin, DetailView):
    template_name = "incidents/pattern_detail.html"
    context_object_name = "pattern"

    def get_queryset(self) -> QuerySet:
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

    def get_citation(self) -> metadata.Citation:
        return metadata.cite(
            self.object, kind="Threat pattern", title=self.object.title
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pattern = self.object
        secondary = Incident.secondary_patterns.through.objects.filter(
            threatpattern=pattern
        )
        figures = pattern_figures(pattern)
        context["figures"] = figures
        context["incident_count"] = figures.total
        # EXISTS per row rather than IN: the five most severe are found walking
        # the severity index and probing the secondary patterns of a few rows.
        context["top_incidents"] = (
            published_incidents()
            .filter(
                Q(primary_pattern=pattern)
                | Exists(secondary.filter(incident=OuterRef("pk")))
            )
            .by_severity()[:5]
        )
        # A pattern may be named by thousands of terms; show the first ones.
        terms = list(pattern.terms.published().order_by("term")[: RELATED_SHOWN + 1])
        context["terms"] = terms[:RELATED_SHOWN]
        context["more_terms"] = len(terms) > RELATED_SHOWN
        context["structured_data"] = metadata.article_data(
            pattern, headline=pattern.title, description=pattern.tagline
        )
        context["breadcrumbs"] = metadata.breadcrumb_data(
            [
                ("Home", reverse("overview:home")),
                (pattern.domain.short_title, pattern.domain.get_absolute_url()),
                (pattern.title, pattern.get_absolute_url()),
            ]
        )
        return context


def detail_page(view_class: type[DetailView]):
    """Return a renderer of a detail view's page for an entry already at hand."""

    def render_entry(request: HttpRequest, entry) -> HttpResponse:
        view = view_class()
        view.setup(request, slug=entry.slug)
        view.object = entry
        citation = view.get_citation()
        if metadata.bibtex_requested(request):
            return metadata.bibtex_response(citation)
        context = view.get_context_data(object=entry, citation=citation)
        return view.render_to_response(context)

    return render_entry


def incident_list(request: HttpRequest) -> HttpResponse:
    clean_query = without_empty_parameters(request.META.get("QUERY_STRING", ""))
    if clean_query is not None:
        return redirect(
            f"{request.path}?{clean_query}" if clean_query else request.path
        )
    incident_filter = IncidentFilter(request.GET, queryset=published_incidents())
    facets = incident_filter.facets()
    paginator = Paginator(incident_filter.qs, INCIDENTS_PER_PAGE)
    paginator.count = incident_filter.match_count  # counted with the facets
    page, page_message = page_of(paginator, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "filter": incident_filter,
            "facets": facets,
            "active_filters": _active_filter_links(incident_filter, request),
            "page_obj": page,
            "page_message": page_message,
            "incidents": page.object_list,
            "query": query.urlencode(),
        },
    )


def _active_filter_links(incident_filter: IncidentFilter, request: HttpRequest):
    """Return (label, value, address without it) for each active filter."""
    links = []
    for name, value in incident_filter.active.items():
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        label = incident_filter.filters[name].label or name.capitalize()
        shown = dict(incident_filter.filters[name].extra.get("choices", [])).get(
            value, value
        )
        links.append((label, str(shown), f"?{query.urlencode()}"))
    return links


def incident_detail(request: HttpRequest, code: str, slug: str = "") -> HttpResponse:
    queryset = (
        Incident.objects.published()
        .select_related("primary_pattern__domain")
        .prefetch_related(
            "sources",
            Prefetch(
                "entities",
                queryset=IncidentEntity.objects.filter(
                    organisation__state=State.PUBLISHED
                ).select_related("organisation"),
            ),
            Prefetch(
                "secondary_patterns",
                queryset=ThreatPattern.objects.published().select_related("domain"),
            ),
            Prefetch(
                "pinned_similar",
                queryset=Incident.objects.published().only(*SIMILAR_FIELDS),
            ),
            Prefetch("hidden_similar", queryset=Incident.objects.only("pk")),
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
    if slug != incident.slug and not metadata.bibtex_requested(request):
        return redirect(incident, permanent=True)
    return incident_page(request, incident)


def incident_page(request: HttpRequest, incident: Incident) -> HttpResponse:
    """Render an incident's public page; also used to show a stored revision."""
    citation = metadata.cite(
        incident,
        kind="Incident",
        title=incident.title,
        permanent_path=reverse(
            "incidents:incident_detail", kwargs={"code": incident.code}
        ),
    )
    if metadata.bibtex_requested(request):
        return metadata.bibtex_response(citation)
    dimensions = [
        (model._meta.verbose_name_plural, getattr(incident, model.incident_field).all())
        for model in DIMENSIONS.values()
    ]
    pattern = incident.primary_pattern
    trail = [("Home", reverse("overview:home"))]
    if pattern.is_published and pattern.domain.is_published:
        trail += [
            (pattern.domain.short_title, pattern.domain.get_absolute_url()),
            (pattern.title, pattern.get_absolute_url()),
        ]
    trail.append((incident.code, incident.get_absolute_url()))
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "dimensions": dimensions,
            "terms": incident.terms.published().order_by("term"),
            "similar": similar_incidents(incident),
            "citation": citation,
            "structured_data": metadata.article_data(
                incident,
                headline=f"{incident.code} {incident.title}",
                description=incident.summary,
            ),
            "breadcrumbs": metadata.breadcrumb_data(trail),
        },
    )


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
        {
            "model": model,
            "label": model._meta.verbose_name,
            "label_plural": model._meta.verbose_name_plural,
            "dimension": dimension,
            "values": values,
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    ("Taxonomy", reverse("overview:taxonomy")),
                    (
                        str(model._meta.verbose_name_plural).capitalize(),
                        reverse("incidents:dimension_list", args=[dimension]),
                    ),
                ]
            ),
        },
    )


def dimension_detail(request: HttpRequest, dimension: str, slug: str) -> HttpResponse:
    model = DIMENSIONS.get(dimension)
    if model is None:
        raise Http404("No such dimension.")
    value = get_object_or_404(model.objects.published(), slug=slug)
    return dimension_page(request, value)


def dimension_page(request: HttpRequest, value) -> HttpResponse:
    """Render a dimension value's public page; also used for stored revisions."""
    model, dimension = type(value), type(value).url_prefix
    incidents = published_incidents().filter(**{model.incident_field: value})
    paginator = Paginator(incidents.order_by("-date_occurred", "-code"), 25)
    page, page_message = page_of(paginator, request.GET.get("page"))
    list_url = reverse("incidents:incident_list")
    return render(
        request,
        "incidents/dimension_detail.html",
        {
            "model": model,
            "label": model._meta.verbose_name,
            "label_plural": model._meta.verbose_name_plural,
            "dimension": dimension,
            "value": value,
            "figures": incident_figures(incidents),
            "page_obj": page,
            "page_message": page_message,
            "incidents": page.object_list,
            "severities": Severity,
            "list_url": f"{list_url}?{FILTER_PARAMETER[model]}={value.slug}",
            "breadcrumbs": metadata.breadcrumb_data(
                [
                    ("Home", reverse("overview:home")),
                    (
                        str(model._meta.verbose_name_plural).capitalize(),
                        reverse("incidents:dimension_list", args=[dimension]),
                    ),
                    (value.name, value.get_absolute_url()),
                ]
            ),
        },
    )
