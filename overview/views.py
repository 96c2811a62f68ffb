"""Reader pages that span the whole knowledge base: home, taxonomy, search,
year digests, and robots.txt."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from glossary.models import Term
from incidents import stats
from incidents.metadata import absolute_url
from incidents.models import DIMENSIONS, Domain, Incident, ThreatPattern
from incidents.views import page_of

from . import charts
from . import search as search_backend

RECENT = 6
HITS_PER_PAGE = 20


def _charts(incidents, *, scope: str, by_year: bool) -> list[dict]:
    """Return the charts of a set of incidents, each with the rows of its table."""
    shown = []
    if by_year:
        years, domains, values = stats.yearly_by_domain(incidents)
        columns = [str(year) for year in years]
        shown.append(
            {
                "id": "chart-years",
                "title": "Incidents per year, by domain",
                "svg": charts.stacked_columns(
                    "chart-years",
                    title="Incidents per year, by domain",
                    description=f"Stacked columns of {scope} per year occurred, "
                    "one colour per domain; the table below gives the numbers.",
                    columns=columns,
                    series=domains,
                    values=values,
                ),
                "head": ["Year", *domains, "Total"],
                "rows": [
                    [
                        year,
                        *(values.get((year, d), 0) for d in domains),
                        sum(values.get((year, d), 0) for d in domains),
                    ]
                    for year in columns
                ],
            }
        )
    else:
        shown.append(
            _bar_chart(
                "chart-domains",
                "Incidents by domain",
                scope,
                stats.domain_counts(incidents),
                "Domain",
            )
        )
    shown += [
        _bar_chart(
            "chart-severity",
            "Severity",
            scope,
            stats.severity_counts(incidents),
            "Severity",
        ),
        _bar_chart(
            "chart-patterns",
            "Most frequent threat patterns",
            scope,
            stats.top_patterns(incidents),
            "Threat pattern",
        ),
        _bar_chart(
            "chart-sectors",
            "Most affected sectors",
            scope,
            stats.top_sectors(incidents),
            "Sector",
        ),
    ]
    return shown


def _bar_chart(ident: str, title: str, scope: str, tallies, heading: str) -> dict:
    return {
        "id": ident,
        "title": title,
        "svg": charts.bar_chart(
            ident,
            title=title,
            description=f"Horizontal bars: number of {scope} per "
            f"{heading.lower()}; the table below gives the numbers.",
            bars=tallies,
        ),
        "head": [heading, "Incidents"],
        "tallies": tallies,
    }


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
            "charts": _charts(incidents, scope="published incidents", by_year=True),
            "years": _digest_years(),
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


def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query, _ = search_backend.clean_query(raw)
    entry = search_backend.entry_for_code(query)
    if entry is not None:
        return redirect(entry)
    results = search_backend.search(raw, request.GET.get("type", ""))
    paginator = Paginator(results.hits, HITS_PER_PAGE)
    page, page_message = page_of(paginator, request.GET.get("page"))
    search_backend.highlight(results, page.object_list)
    return render(
        request,
        "overview/search.html",
        {
            "results": results,
            "search_query": results.query,
            "page_obj": page,
            "page_message": page_message,
            "hits": page.object_list,
            "kinds": [
                (kind, results.count_label(kind.key))
                for kind in search_backend.KINDS.values()
            ],
        },
    )


def _digest_years() -> list[int]:
    return list(
        Incident.objects.published()
        .order_by("-occurred_year")
        .values_list("occurred_year", flat=True)
        .distinct()
    )


def digest_index(request: HttpRequest) -> HttpResponse:
    years = _digest_years()
    if not years:
        raise Http404("No incidents are published yet.")
    return redirect("overview:digest", year=years[0])


def digest(request: HttpRequest, year: int) -> HttpResponse:
    incidents = Incident.objects.published().occurred_in(year)
    figures = stats.incident_figures(incidents)
    if not figures.total:
        raise Http404("No published incident occurred that year.")
    years = _digest_years()
    return render(
        request,
        "overview/digest.html",
        {
            "year": year,
            "figures": figures,
            "charts": _charts(
                incidents, scope=f"incidents that occurred in {year}", by_year=False
            ),
            "years": years,
            "previous_year": max((y for y in years if y < year), default=None),
            "next_year": min((y for y in years if y > year), default=None),
            "top_incidents": incidents.select_related(
                "primary_pattern__domain"
            ).by_severity()[:5],
            "list_url": f"{reverse('incidents:incident_list')}?year={year}",
        },
    )


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
