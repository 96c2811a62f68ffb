"""Figures derived from a set of incidents: entry pages, home and digests."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from .models import Domain, Incident, Sector, Severity

SMALL_SAMPLE = 5


@dataclass(frozen=True)
class IncidentFigures:
    total: int
    high_or_critical: int
    resolved: int
    top_pattern_title: str | None
    top_pattern_slug: str | None
    top_pattern_count: int

    @property
    def share_high_or_critical(self) -> int | None:
        return round(100 * self.high_or_critical / self.total) if self.total else None

    @property
    def share_resolved(self) -> int | None:
        return round(100 * self.resolved / self.total) if self.total else None

    @property
    def small_sample(self) -> bool:
        return self.total < SMALL_SAMPLE


_COUNTS = {
    "n": Count("pk"),
    "high_or_critical": Count("pk", filter=Q(severity__in=["high", "critical"])),
    "resolved": Count("pk", filter=Q(resolution="resolved")),
}


def pattern_figures(pattern) -> IncidentFigures:
    """Return the figures of the published incidents involving a pattern (2 queries).

    Counted as two disjoint parts, the pattern as primary (an index range) and
    as secondary only, which reads far less than one OR over every incident.
    """
    published = Incident.objects.published().order_by()
    parts = [
        published.filter(primary_pattern=pattern).aggregate(**_COUNTS),
        published.filter(secondary_patterns=pattern)
        .exclude(primary_pattern=pattern)
        .aggregate(**_COUNTS),
    ]
    return IncidentFigures(
        total=sum(part["n"] for part in parts),
        high_or_critical=sum(part["high_or_critical"] for part in parts),
        resolved=sum(part["resolved"] for part in parts),
        top_pattern_title=None,
        top_pattern_slug=None,
        top_pattern_count=0,
    )


def incident_figures(incidents: QuerySet) -> IncidentFigures:
    """Return the derived figures of a queryset of published incidents (1 query).

    One pass grouped by primary pattern gives every figure: the totals are the
    sums of the groups, the top pattern the largest published group.
    """
    groups = list(
        incidents.order_by()
        .values(
            "primary_pattern__title",
            "primary_pattern__slug",
            "primary_pattern__state",
        )
        .annotate(**_COUNTS)
    )
    published = [g for g in groups if g["primary_pattern__state"] == "published"]
    top = min(
        published, key=lambda g: (-g["n"], g["primary_pattern__title"]), default=None
    )
    return IncidentFigures(
        total=sum(g["n"] for g in groups),
        high_or_critical=sum(g["high_or_critical"] for g in groups),
        resolved=sum(g["resolved"] for g in groups),
        top_pattern_title=top["primary_pattern__title"] if top else None,
        top_pattern_slug=top["primary_pattern__slug"] if top else None,
        top_pattern_count=top["n"] if top else 0,
    )


@dataclass(frozen=True)
class Tally:
    """One counted value: a label, how many, and where it leads (if anywhere)."""

    label: str
    value: int
    url: str = ""


def severity_counts(incidents: QuerySet) -> list[Tally]:
    """Return the number of incidents per severity, critical first (1 query)."""
    counts = dict(incidents.order_by().values_list("severity").annotate(n=Count("pk")))
    return [Tally(label, counts.get(value, 0)) for value, label in Severity.choices]


def top_patterns(incidents: QuerySet, limit: int = 8) -> list[Tally]:
    """Return the most frequent published primary patterns (1 query)."""
    rows = (
        incidents.filter(primary_pattern__state="published")
        .order_by()
        .values("primary_pattern__title", "primary_pattern__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "primary_pattern__title")[:limit]
    )
    return [
        Tally(
            row["primary_pattern__title"],
            row["n"],
            reverse("incidents:pattern_detail", args=[row["primary_pattern__slug"]]),
        )
        for row in rows
    ]


def top_sectors(incidents: QuerySet, limit: int = 8) -> list[Tally]:
    """Return the published sectors with the most incidents (2 queries)."""
    # Counted on the many-to-many table alone: each (incident, sector) is one row.
    counts = dict(
        Incident.sectors.through.objects.filter(
            incident__in=incidents.order_by().values("pk")
        )
        .order_by()
        .values_list("sector_id")
        .annotate(n=Count("pk"))
    )
    sectors = Sector.objects.published().only("pk", "name", "slug")
    ranked = sorted(
        (s for s in sectors if counts.get(s.pk)),
        key=lambda s: (-counts[s.pk], s.name),
    )
    return [Tally(s.name, counts[s.pk], s.get_absolute_url()) for s in ranked[:limit]]


def domain_counts(incidents: QuerySet) -> list[Tally]:
    """Return the number of incidents per published domain (1 query)."""
    rows = (
        Domain.objects.published()
        .annotate(
            n=Count(
                "patterns__primary_incidents",
                filter=Q(
                    patterns__primary_incidents__in=incidents.order_by().values("pk")
                ),
                distinct=True,
            )
        )
        .order_by("code")
    )
    return [Tally(row.short_title, row.n, row.get_absolute_url()) for row in rows]


def yearly_by_domain(incidents: QuerySet) -> tuple[list[int], list[str], dict]:
    """Return years, domain names and {(year, domain): count} (1 query)."""
    rows = (
        incidents.filter(primary_pattern__domain__state="published")
        .order_by()
        .values_list("occurred_year", "primary_pattern__domain__short_title")
        .annotate(n=Count("pk"))
    )
    values = {(str(year), domain): n for year, domain, n in rows}
    found = {int(year) for year, _ in values}
    years = list(range(min(found), max(found) + 1)) if found else []
    domains = sorted({domain for _, domain in values})
    return years, domains, values
