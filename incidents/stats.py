"""Figures derived from a set of incidents, for domain and dimension pages."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

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


def incident_figures(incidents: QuerySet) -> IncidentFigures:
    """Return the derived figures of a queryset of published incidents (2 queries)."""
    counts = incidents.aggregate(
        total=Count("pk", distinct=True),
        high_or_critical=Count(
            "pk", filter=Q(severity__in=["high", "critical"]), distinct=True
        ),
        resolved=Count("pk", filter=Q(resolution="resolved"), distinct=True),
    )
    top = (
        incidents.filter(primary_pattern__state="published")
        .values("primary_pattern__title", "primary_pattern__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "primary_pattern__title")
        .first()
    )
    return IncidentFigures(
        total=counts["total"],
        high_or_critical=counts["high_or_critical"],
        resolved=counts["resolved"],
        top_pattern_title=top["primary_pattern__title"] if top else None,
        top_pattern_slug=top["primary_pattern__slug"] if top else None,
        top_pattern_count=top["n"] if top else 0,
    )
