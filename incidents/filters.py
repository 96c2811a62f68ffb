"""Filters, facet counts and sorting of the public incident list.

Every filter reads a plain query parameter, so a filtered list is a URL that
works without JavaScript. Each facet is counted with one grouped query over the
published incidents that match all the *other* active filters.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from .models import (
    AffectedGroup,
    Asset,
    CausalFactor,
    Domain,
    ExposurePathway,
    HarmType,
    Incident,
    IncidentEntity,
    Organisation,
    Region,
    Sector,
    Severity,
    ThreatPattern,
    severity_order,
)

SORTS = {
    "-date": ("Newest first", ["-date_occurred", "-code"]),
    "date": ("Oldest first", ["date_occurred", "code"]),
    "severity": ("Most severe first", ["-severity_rank", "-date_occurred", "code"]),
    "-updated": ("Recently updated", ["-last_updated", "-code"]),
    "code": ("By code", ["code"]),
}
DEFAULT_SORT = "-date"
EARLIEST_YEAR, LATEST_YEAR = 1950, 2100
# COUNT(DISTINCT id) without GROUP BY, for a correlated count subquery.
ENTITY_OPTIONS = 40  # the entity facet offers the most frequent organisations

COUNT_DISTINCT_PK = Func(
    F("pk"), function="COUNT", template="%(function)s(DISTINCT %(expressions)s)"
)

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
        queryset=Organisation.objects.all(),
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
        key = self.sort_key
        if key == "severity":
            queryset = queryset.alias(severity_rank=severity_order())
        return queryset.order_by(*SORTS[key][1])

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
        """Return the counts per value of each filter (one query per facet)."""
        self.errors  # noqa: B018 - validates the form
        return [
            self._model_facet("domain", self._domain_counts()),
            self._model_facet("pattern", self._pattern_counts()),
            *(
                self._choice_facet(name, field)
                for name, field in (
                    ("severity", "severity"),
                    ("status", "status"),
                    ("evidence", "evidence_level"),
                    ("impact", "impact_level"),
                    ("resolution", "resolution"),
                )
            ),
            self._year_facet(),
            *(
                self._model_facet(name, self._dimension_counts(name, model, field))
                for name, (model, field) in DIMENSION_FILTERS.items()
            ),
            self._model_facet("entity", self._entity_counts()),
        ]

    def _selected(self, name: str) -> str:
        return str(self.data.get(name, "") or "")

    def _model_facet(self, name: str, rows) -> "Facet":
        selected = self._selected(name)
        options = [
            FacetOption(row.slug, str(row.facet_label), row.n, row.slug == selected)
            for row in rows
        ]
        return Facet(name, self.filters[name].label, options)

    def _choice_facet(self, name: str, field: str) -> "Facet":
        base = self.queryset_without(name)
        counts = dict(
            base.order_by().values_list(field).annotate(n=Count("pk", distinct=True))
        )
        selected = self._selected(name)
        options = [
            FacetOption(value, label, counts.get(value, 0), value == selected)
            for value, label in self.filters[name].extra["choices"]
        ]
        return Facet(name, self.filters[name].label, options)

    def _year_facet(self) -> "Facet":
        base = self.queryset_without("year")
        rows = (
            base.order_by("-occurred_year")
            .values_list("occurred_year")
            .annotate(n=Count("pk", distinct=True))
        )
        selected = self._selected("year")
        options = [
            FacetOption(str(year), str(year), n, str(year) == selected)
            for year, n in rows
        ]
        return Facet("year", self.filters["year"].label, options)

    def _matching(self, name: str) -> QuerySet:
        return self.queryset_without(name).order_by().values("pk")

    def _domain_counts(self) -> list["FacetRow"]:
        counts = dict(
            Incident.objects.filter(pk__in=self._matching("domain"))
            .order_by()
            .values_list("primary_pattern__domain_id")
            .annotate(n=Count("pk"))
        )
        domains = Domain.objects.published().only("pk", "slug", "short_title")
        return [
            FacetRow(d.slug, d.short_title, counts.get(d.pk, 0))
            for d in domains.order_by("code")
        ]

    def _pattern_counts(self) -> QuerySet:
        matching = self._matching("pattern")
        if self.form.cleaned_data.get("pattern_scope") == "any":
            involved = Incident.objects.filter(pk__in=matching).filter(
                Q(primary_pattern=OuterRef("pk")) | Q(secondary_patterns=OuterRef("pk"))
            )
            count = Subquery(
                involved.order_by().annotate(one=COUNT_DISTINCT_PK).values("one")[:1],
                output_field=IntegerField(),
            )
            counts = ThreatPattern.objects.published().annotate(n=Coalesce(count, 0))
        else:
            counts = ThreatPattern.objects.published().annotate(
                n=Count(
                    "primary_incidents",
                    filter=Q(primary_incidents__in=matching),
                    distinct=True,
                )
            )
        return counts.annotate(facet_label=F("title")).order_by("title")

    def _dimension_counts(self, name: str, model, field: str) -> list["FacetRow"]:
        # Counted on the many-to-many table alone (every pair is distinct), which
        # reads far less than grouping the vocabulary joined to the incidents.
        through = Incident._meta.get_field(field).remote_field.through
        column = f"{model._meta.model_name}_id"
        counts = dict(
            through.objects.filter(incident__in=self._matching(name))
            .order_by()
            .values_list(column)
            .annotate(n=Count("pk"))
        )
        values = model.objects.published().only("pk", "slug", "name").order_by("name")
        return [FacetRow(v.slug, v.name, counts.get(v.pk, 0)) for v in values]

    def _entity_counts(self) -> list["FacetRow"]:
        # Organisations have no life cycle: offer those named in the matching
        # incidents, the most frequent first (thousands of options help nobody).
        rows = (
            IncidentEntity.objects.filter(incident__in=self._matching("entity"))
            .order_by()
            .values("organisation__slug", "organisation__name")
            .annotate(n=Count("incident", distinct=True))
            .order_by("-n", "organisation__name")[:ENTITY_OPTIONS]
        )
        return [
            FacetRow(r["organisation__slug"], r["organisation__name"], r["n"])
            for r in rows
        ]


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
