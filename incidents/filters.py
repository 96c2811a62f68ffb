"""Filters, facet counts and sorting of the public incident list.

Every filter reads a plain query parameter, so a filtered list is a URL that
works without JavaScript. Each facet is counted with one grouped query over the
published incidents that match all the *other* active filters.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.db.models import (
    Q,
    QuerySet,
)

from . import facet_counts as counting
from .models import (
    AffectedGroup,
    Asset,
    CausalFactor,
    Domain,
    ExposurePathway,
    HarmType,
    Incident,
    Organisation,
    Region,
    Sector,
    Severity,
    ThreatPattern,
)

SORTS = {
    "-date": ("Newest first", ["-date_occurred", "-code"]),
    "date": ("Oldest first", ["date_occurred", "code"]),
    "severity": ("Most severe first", ["-severity_rank", "-date_occurred", "code"]),
    "-updated": ("Recently updated", ["-last_updated", "-code"]),
    "code": ("By code", ["code"]),
}
DEFAULT_SORT = "-date"
# Filters on a column of the incident with a fixed set of values: name -> field.
CHOICE_FACETS = {
    "severity": "severity",
    "status": "status",
    "evidence": "evidence_level",
    "impact": "impact_level",
    "resolution": "resolution",
}
EARLIEST_YEAR, LATEST_YEAR = 1950, 2100
ENTITY_OPTIONS = 40  # the entity facet offers the most frequent organisations

# The dimensions (many-to-many vocabularies) a reader can filter by:
# query parameter -> (model, field of Incident).
DIMENSION_FILTERS = {
    "sector": (Sector, "sectors"),
    "region": (Region, "regions"),
    "group": (AffectedGroup, "affected_groups"),
    "pathway": (ExposurePathway, "exposure_pathways"),
    "cause": (CausalFactor, "causal_factors"),
    "asset": (Asset, "assets"),
    "harm": (HarmType, "harm_types"),
}


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            min_value=EARLIEST_YEAR,
            max_value=LATEST_YEAR,
            error_messages={"invalid": "Enter a year such as 2023."},
            **kwargs,
        )


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class IncidentFilterForm(forms.Form):
    """The incident list's filters; a reversed year range is an error, not 0 rows."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error(
                "year_to",
                f"The range ends ({end}) before it starts ({start}): "
                "put the earlier year first.",
            )
        return cleaned


def without_empty_parameters(query_string: str) -> str | None:
    """Return the query string without its empty parameters, or None if it has none.

    The filter form sends every field, most of them empty ("Any"); dropping
    them gives one short address per list, in the order the parameters came.
    """
    pairs = parse_qsl(query_string, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if value.strip()]
    if len(kept) == len(pairs):
        return None
    return urlencode(kept)


class IncidentFilter(django_filters.FilterSet):
    domain = django_filters.ModelChoiceFilter(
        field_name="primary_pattern__domain",
        to_field_name="slug",
        queryset=Domain.objects.published(),
        label="Domain",
    )
    pattern = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=ThreatPattern.objects.published(),
        method="filter_pattern",
        label="Threat pattern",
    )
    pattern_scope = django_filters.ChoiceFilter(
        choices=[("primary", "as primary pattern"), ("any", "primary or secondary")],
        method="filter_nothing",
        empty_label=None,
        label="Pattern match",
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=Incident.Status.choices)
    evidence = django_filters.ChoiceFilter(
        field_name="evidence_level",
        choices=Incident.Evidence.choices,
        label="Evidence level",
    )
    impact = django_filters.ChoiceFilter(
        field_name="impact_level", choices=Incident.Impact.choices, label="Impact"
    )
    resolution = django_filters.ChoiceFilter(choices=Incident.Resolution.choices)
    year = YearFilter(field_name="occurred_year", label="Year occurred")
    year_from = YearFilter(
        field_name="occurred_year", lookup_expr="gte", label="From year"
    )
    year_to = YearFilter(field_name="occurred_year", lookup_expr="lte", label="To year")
    sector = django_filters.ModelChoiceFilter(
        field_name="sectors",
        to_field_name="slug",
        queryset=Sector.objects.published(),
        label="Sector",
    )
    region = django_filters.ModelChoiceFilter(
        field_name="regions",
        to_field_name="slug",
        queryset=Region.objects.published(),
        label="Region",
    )
    group = django_filters.ModelChoiceFilter(
        field_name="affected_groups",
        to_field_name="slug",
        queryset=AffectedGroup.objects.published(),
        label="Affected group",
    )
    pathway = django_filters.ModelChoiceFilter(
        field_name="exposure_pathways",
        to_field_name="slug",
        queryset=ExposurePathway.objects.published(),
        label="Exposure pathway",
    )
    cause = django_filters.ModelChoiceFilter(
        field_name="causal_factors",
        to_field_name="slug",
        queryset=CausalFactor.objects.published(),
        label="Causal factor",
    )
    asset = django_filters.ModelChoiceFilter(
        field_name="assets",
        to_field_name="slug",
        queryset=Asset.objects.published(),
        label="Asset",
    )
    harm = django_filters.ModelChoiceFilter(
        field_name="harm_types",
        to_field_name="slug",
        queryset=HarmType.objects.published(),
        label="Harm type",
    )
    entity = django_filters.ModelChoiceFilter(
        field_name="entities__organisation",
        to_field_name="slug",
        queryset=Organisation.objects.published(),
        distinct=True,
        label="Organisation",
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="filter_nothing",
        empty_label=None,
        label="Sort",
    )

    class Meta:
        model = Incident
        fields: list[str] = []
        form = IncidentFilterForm

    match_count: int | None = None  # the incidents listed, known after facets()

    def filter_pattern(
        self, queryset: QuerySet, name: str, value: ThreatPattern
    ) -> QuerySet:
        if self.form.cleaned_data.get("pattern_scope") == "any":
            return queryset.filter(
                Q(primary_pattern=value)
                | Q(
                    pk__in=Incident.secondary_patterns.through.objects.filter(
                        threatpattern=value
                    ).values("incident")
                )
            )
        return queryset.filter(primary_pattern=value)

    def filter_nothing(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """Leave the queryset as it is: the parameter is read elsewhere."""
        return queryset

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_sorted_qs"):
            self._sorted_qs = self.sort_queryset(super().qs)
        return self._sorted_qs

    def sort_queryset(self, queryset: QuerySet) -> QuerySet:
        """Order by the chosen sort; an unknown sort falls back to the default."""
        return queryset.order_by(*SORTS[self.sort_key][1])

    @property
    def sort_key(self) -> str:
        cleaned = getattr(self.form, "cleaned_data", {})
        return cleaned.get("sort") or DEFAULT_SORT

    def queryset_without(self, *names: str) -> QuerySet:
        """Return the published incidents matching every active filter but `names`."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name in names or name not in self.filters:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def active(self) -> dict[str, object]:
        """Return the valid filters that narrow the list, by name."""
        self.errors  # noqa: B018 - validates the form
        skip = {"sort", "pattern_scope"}
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name not in skip and value not in (None, "")
        }

    def facets(self) -> list["Facet"]:
        """Return the counts per value of each filter.

        A facet counts the incidents that match every *other* active filter.
        The facets whose own filter is inactive all count the same set, in one
        statement; each active one counts its own set: 1 + (active facets)
        statements in all, whatever the number of facets.
        """
        self.errors  # noqa: B018 - validates the form
        counts = self._counts()  # sets match_count too
        patterns = list(
            ThreatPattern.objects.only("pk", "domain", "slug", "title", "state")
        )
        return [
            self._domain_facet(counts["domain"], patterns),
            self._model_facet(
                "pattern",
                [
                    FacetRow(p.slug, p.title, counts["pattern"][str(p.pk)])
                    for p in sorted(patterns, key=lambda p: p.title)
                    if p.state == "published"
                ],
            ),
            *(self._choice_facet(name, counts[name]) for name in CHOICE_FACETS),
            self._year_facet(counts["year"]),
            *(
                self._dimension_facet(name, model, counts[name])
                for name, (model, _) in DIMENSION_FILTERS.items()
            ),
            self._entity_facet(counts["entity"]),
        ]

    def _counts(self) -> dict[str, Counter]:
        any_pattern = self.form.cleaned_data.get("pattern_scope") == "any"
        queries = {
            "domain": counting.ColumnFacet("domain", "primary_pattern"),
            "pattern": counting.PatternFacet("pattern")
            if any_pattern
            else counting.ColumnFacet("pattern", "primary_pattern"),
            **{
                name: counting.ColumnFacet(name, field)
                for name, field in CHOICE_FACETS.items()
            },
            "year": counting.ColumnFacet("year", "occurred_year"),
            **{
                name: counting.RelationFacet(name, field)
                for name, (_, field) in DIMENSION_FILTERS.items()
            },
            "entity": counting.EntityFacet("entity", ENTITY_OPTIONS),
        }
        active, by_set = self.active, defaultdict(list)
        for name, query in queries.items():
            by_set[name if name in active else ""].append(query)
        by_set[""].append(counting.TotalFacet("total"))
        counts = {}
        for without, facet_queries in by_set.items():
            matching = self.queryset_without(without)
            counts |= counting.count_facets(matching, facet_queries)
        self.match_count = counts["total"][""]
        return counts

    def _selected(self, name: str) -> str:
        return str(self.data.get(name, "") or "")

    def _model_facet(self, name: str, rows: list["FacetRow"]) -> "Facet":
        selected = self._selected(name)
        options = [
            FacetOption(row.slug, row.facet_label, row.n, row.slug == selected)
            for row in rows
        ]
        return Facet(name, self.filters[name].label, options)

    def _domain_facet(self, counts: Counter, patterns: list) -> "Facet":
        per_domain = Counter()
        for pattern in patterns:
            per_domain[pattern.domain_id] += counts[str(pattern.pk)]
        domains = Domain.objects.published().only("pk", "slug", "short_title")
        return self._model_facet(
            "domain",
            [
                FacetRow(d.slug, d.short_title, per_domain[d.pk])
                for d in domains.order_by("code")
            ],
        )

    def _choice_facet(self, name: str, counts: Counter) -> "Facet":
        selected = self._selected(name)
        options = [
            FacetOption(value, label, counts[value], value == selected)
            for value, label in self.filters[name].extra["choices"]
        ]
        return Facet(name, self.filters[name].label, options)

    def _year_facet(self, counts: Counter) -> "Facet":
        selected = self._selected("year")
        options = [
            FacetOption(year, year, counts[year], year == selected)
            for year in sorted(counts, key=int, reverse=True)
        ]
        return Facet("year", self.filters["year"].label, options)

    def _dimension_facet(self, name: str, model, counts: Counter) -> "Facet":
        values = model.objects.published().only("pk", "slug", "name").order_by("name")
        return self._model_facet(
            name, [FacetRow(v.slug, v.name, counts[str(v.pk)]) for v in values]
        )

    def _entity_facet(self, counts: Counter) -> "Facet":
        # Offer the published organisations named in the matching incidents,
        # the most frequent first (thousands of options help nobody).
        named = (
            Organisation.objects.published()
            .filter(pk__in=[int(pk) for pk in counts])
            .only("pk", "slug", "name")
        )
        rows = [FacetRow(o.slug, o.name, counts[str(o.pk)]) for o in named]
        return self._model_facet(
            "entity", sorted(rows, key=lambda row: (-row.n, row.facet_label))
        )


@dataclass(frozen=True)
class FacetRow:
    slug: str
    facet_label: str
    n: int


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[FacetOption]
