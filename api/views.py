"""The public read API: published entries as JSON (and CSV), cached, CORS open.

Every queryset comes from `exchange.json_format`, which starts from
`published()` and prefetches related lists through `published()` too; the
shapes are the ones `export_entries` writes and `import_entries` reads.
"""

import csv
import json
import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.views import APIView

from exchange import documents
from exchange import json_format as shapes
from exchange.json_format import public
from glossary.models import Category
from incidents.filters import EARLIEST_YEAR, LATEST_YEAR, IncidentFilter

from . import graph
from .caching import MAX_AGE, cached, etag_of

# As many as an HTML list page shows: a page of 100 full incidents weighed
# about half a megabyte; a client that wants more asks with page_size.
PAGE_SIZE = 25
MAX_PAGE_SIZE = 500
PAGING = ("page", "page_size")

# Page numbers are read as at most nine digits; larger ones are refused.
LARGEST_NUMBER = 999_999_999

PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": LARGEST_NUMBER, "default": 1},
        description="Page number, from 1; a page past the last one is a 400.",
    ),
    OpenApiParameter(
        "page_size",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": LARGEST_NUMBER,
            "default": PAGE_SIZE,
        },
        description=f"Entries per page (default {PAGE_SIZE}, at most "
        f"{MAX_PAGE_SIZE}; larger values are capped).",
    ),
]
# The year filters refuse years outside the range the incident list offers.
YEAR_PARAMETERS = [
    OpenApiParameter(
        name,
        {"type": "integer", "minimum": EARLIEST_YEAR, "maximum": LATEST_YEAR},
        description=str(IncidentFilter.base_filters[name].label),
    )
    for name in ("year", "year_from", "year_to")
]


def json_response(request, document) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return cached(
        request,
        response,
        etag=etag_of(document),
    )


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # str.isdigit() accepts characters int() refuses (such as "¹"): ask int().
    number = int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else 0
    if number < 1:
        raise ValidationError({name: [f"Use a whole number from 1 (got {raw!r})."]})
    return number


def paginate(request: Request, queryset) -> tuple[list, dict]:
    """Return one page of `queryset` and its paging block; 400 on a bad page."""
    size = min(_positive_int(request, "page_size", PAGE_SIZE), MAX_PAGE_SIZE)
    number = _positive_int(request, "page", 1)
    paginator = Paginator(queryset, size)
    if number > paginator.num_pages:
        raise ValidationError(
            {
                "page": [
                    f"There are {paginator.num_pages} pages; page {number} is past "
                    "the end."
                ]
            }
        )
    page = paginator.page(number)

    def link(n: int) -> str:
        query = request.query_params.copy()
        query["page"] = str(n)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return list(page.object_list), {
        "count": paginator.count,
        "page": number,
        "page_size": size,
        "pages": paginator.num_pages,
        "next": link(number + 1) if page.has_next() else None,
        "previous": link(number - 1) if page.has_previous() else None,
    }


def reject_unknown(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        hint = (
            f"use one of {', '.join(sorted(allowed))}."
            if allowed
            else "this endpoint takes none."
        )
        raise ValidationError(
            {name: [f"Unknown parameter; {hint}"] for name in unknown}
        )


def filter_parameters(filterset) -> set[str]:
    """Return the query parameters a filter set reads (range filters use two)."""
    names = set()
    for name, field in filterset.form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        names.update(f"{name}_{s}" if s else name for s in suffixes or [""])
    return names


class IncidentListView(GenericAPIView):
    """Published incidents, filtered like the HTML incident list, paged."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = IncidentFilter
    paging = PAGING

    def get_queryset(self):
        return shapes.incident_queryset(public)

    def filtered(self, request: Request):
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(request, self.get_queryset(), self)
        reject_unknown(request, filter_parameters(filterset) | set(self.paging))
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs

    @extend_schema(
        summary="Published incidents",
        filters=True,
        description="The incidents of the knowledge base in the shape of "
        "`/api/incidents.json`, filtered with the parameters of the incident "
        "list page, paged. Unknown parameters and values are refused with 400. "
        "To get every incident at once, download `incidents.json` (or the whole "
        "data set) from `/downloads/` instead of walking the pages.",
        parameters=[*YEAR_PARAMETERS, *PAGE_PARAMETERS],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="`_meta`, `incidents[]`"
            ),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        incidents, paging = paginate(request, self.filtered(request))
        document = {
            "_meta": shapes.meta(totals={"incidents": paging["count"]}, **paging),
            "incidents": [shapes.incident_data(i) for i in incidents],
        }
        return json_response(request, document)


class IncidentCsvView(IncidentListView):
    """The filtered incident list as CSV, every row (no paging)."""

    paging = ()

    COLUMNS = [
        "id", "title", "url", "status", "severity", "evidence_level",
        "date_occurred", "domain", "primary_pattern", "secondary_patterns",
        "regions", "sectors", "affected_groups", "summary", "last_updated",
    ]  # fmt: skip

    @extend_schema(
        summary="Published incidents as CSV",
        filters=True,
        description="One row per incident, with the same filters as "
        "`/api/incidents.json`; not paged.",
        parameters=YEAR_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        reject_page = set(request.query_params) & set(PAGING)
        if reject_page:
            raise ValidationError({"page": ["The CSV holds every row; omit page."]})
        incidents = list(self.filtered(request))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="incidents.csv"'
        writer = csv.writer(response)
        writer.writerow(self.COLUMNS)
        for incident in incidents:
            data = shapes.incident_data(incident)
            primary = data["threat_patterns"]["primary"] or {}
            row = {
                **data,
                "domain": primary.get("domain", ""),
                "primary_pattern": primary.get("pattern", ""),
                "secondary_patterns": "; ".join(
                    p["pattern"] for p in data["threat_patterns"]["secondary"]
                ),
            }
            writer.writerow(_csv_cell(row[column]) for column in self.COLUMNS)
        return cached(
            request,
            response,
            etag=etag_of(response.content.decode()),
        )


def _csv_cell(value) -> str:
    """Return a CSV cell; text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, list):
        value = "; ".join(value)
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


class ThreatsView(APIView):
    @extend_schema(
        summary="The taxonomy: domains and their threat patterns",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="`_meta`, `domains[]`"
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        reject_unknown(request, set())
        return json_response(request, documents.threats_document())


class GlossaryView(APIView):
    @extend_schema(
        summary="Glossary terms with every section and relation",
        description="Paged; every term at once is in the whole data set at "
        "`/downloads/`.",
        parameters=[
            OpenApiParameter(
                "category", OpenApiTypes.STR, description="A category slug."
            ),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="`_meta`, `terms[]`")
        },
    )
    def get(self, request: Request) -> HttpResponse:
        reject_unknown(request, {"category", *PAGING})
        terms = shapes.term_queryset(public)
        category = request.query_params.get("category")
        if category:
            if not Category.objects.filter(slug=category).exists():
                raise ValidationError({"category": [f"No category {category!r}."]})
            terms = terms.filter(category__slug=category)
        terms, paging = paginate(request, terms)
        document = {
            "_meta": shapes.meta(totals={"terms": paging["count"]}, **paging),
            "terms": [shapes.term_data(t) for t in terms],
        }
        return json_response(request, document)


class CitationsView(APIView):
    @extend_schema(
        summary="A ready citation of every published entry",
        description="Plain text and BibTeX for each domain, threat pattern, "
        "incident, glossary term and organisation, with its permanent address; "
        "`_meta.dataset` says how to cite the whole data set. Not paged.",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="`_meta`, `citations[]`"
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        reject_unknown(request, set())
        return json_response(request, documents.citations_document())


class GraphView(APIView):
    @extend_schema(
        summary="The knowledge base as a graph of nodes and edges",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="`_meta`, `nodes[]`, `edges[]`"
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        reject_unknown(request, set())
        data, warnings, totals = graph.build()
        document = {"_meta": shapes.meta(totals=totals, warnings=warnings), **data}
        return json_response(request, document)


class EntryView(APIView):
    """One published entry in its list shape; 404 when it is not public."""

    lookup = "code"

    def get_queryset(self):
        raise NotImplementedError

    def shape(self, entry) -> dict:
        raise NotImplementedError

    def get(self, request: Request, key: str) -> HttpResponse:
        reject_unknown(request, set())
        entry = self.get_queryset().filter(**{self.lookup: key}).first()
        if entry is None:
            raise NotFound(f"No published entry {key}.")
        return json_response(request, self.shape(entry))


@extend_schema(summary="One published incident", responses={200: OpenApiTypes.OBJECT})
class IncidentDetailView(EntryView):
    def get_queryset(self):
        return shapes.incident_queryset(public)

    def shape(self, entry) -> dict:
        return shapes.incident_data(entry)


@extend_schema(
    summary="One published glossary term", responses={200: OpenApiTypes.OBJECT}
)
class TermDetailView(EntryView):
    lookup = "slug"

    def get_queryset(self):
        return shapes.term_queryset(public)

    def shape(self, entry) -> dict:
        return shapes.term_data(entry)


@extend_schema(
    summary="One published threat pattern", responses={200: OpenApiTypes.OBJECT}
)
class PatternDetailView(EntryView):
    def get_queryset(self):
        return shapes.pattern_queryset(public)

    def shape(self, entry) -> dict:
        return shapes.pattern_data(entry)


@extend_schema(
    summary="One published domain and its patterns",
    responses={200: OpenApiTypes.OBJECT},
)
class DomainDetailView(EntryView):
    def get_queryset(self):
        return shapes.domain_queryset(public)

    def shape(self, entry) -> dict:
        return shapes.domain_data(entry)


class OrganisationListView(APIView):
    @extend_schema(
        summary="Published organisations with their incident counts",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="`_meta`, `organisations[]`"
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        reject_unknown(request, set())
        organisations = list(shapes.organisation_list_queryset())
        document = {
            "_meta": shapes.meta(totals={"organisations": len(organisations)}),
            "organisations": [
                {**shapes.organisation_data(o), "incident_count": o.incident_count}
                for o in organisations
            ],
        }
        return json_response(request, document)


@extend_schema(
    summary="One published organisation and its incidents by role",
    responses={200: OpenApiTypes.OBJECT},
)
class OrganisationDetailView(EntryView):
    lookup = "slug"

    def get_queryset(self):
        return shapes.organisation_queryset(public)

    def shape(self, entry) -> dict:
        return shapes.organisation_detail_data(entry)


def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """Answer an address under /api/ that names no endpoint, in JSON."""
    return JsonResponse(
        {
            "detail": f"No endpoint at {request.path}; the endpoints are listed "
            "at /api/openapi.json."
        },
        status=404,
    )


def index(request: HttpRequest) -> HttpResponse:
    """Explain the API to people, with curl examples."""
    filters = IncidentFilter(queryset=public(IncidentFilter._meta.model))
    return render(
        request,
        "api/index.html",
        {
            "filters": sorted(filter_parameters(filters)),
            "page_size": PAGE_SIZE,
            "max_page_size": MAX_PAGE_SIZE,
            "max_age": MAX_AGE,
        },
    )
