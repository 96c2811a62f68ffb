"""What an organisation's public page and the A–Z index show, from published rows.

An organisation is named by incidents through their parties (`IncidentEntity`),
each with a role. Only published incidents count, and an organisation that is
not published has no page and is left out of every count.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from editorial.models import State

from .models import Incident, IncidentEntity, Organisation
from .stats import Tally, domain_counts, severity_counts

#: Incidents listed under each role on the page; the rest are one link away.
SHOWN_PER_ROLE = 10


@dataclass
class RoleGroup:
    """The incidents where the organisation had one role."""

    role: str
    label: str
    count: int
    incidents: list[Incident] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.incidents)


@dataclass
class Profile:
    organisation: Organisation
    total: int
    roles: list[RoleGroup]
    severities: list[Tally]
    domains: list[Tally]
    first: Incident | None
    latest: Incident | None


def published_organisations() -> QuerySet:
    return Organisation.objects.published()


def incidents_naming(organisation: Organisation) -> QuerySet:
    """Return the published incidents that name the organisation in any role."""
    parties = IncidentEntity.objects.filter(
        organisation=organisation, incident=OuterRef("pk")
    )
    return Incident.objects.published().filter(Exists(parties))


def profile(organisation: Organisation) -> Profile:
    """Return everything the organisation's page shows (6 queries)."""
    parties = IncidentEntity.objects.filter(
        organisation=organisation, incident__state=State.PUBLISHED
    )
    counts = dict(
        parties.order_by()
        .values_list("role")
        .annotate(n=Count("incident", distinct=True))
    )
    # The most recent few per role in one query: number the rows within a role.
    ranked = (
        parties.select_related("incident__primary_pattern__domain")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("role")],
                order_by=[F("incident__date_occurred").desc(), F("incident__code")],
            )
        )
        .filter(rank__lte=SHOWN_PER_ROLE)
        .order_by("role", "rank")
    )
    listed: dict[str, list[Incident]] = {
        role: [party.incident for party in rows]
        for role, rows in groupby(ranked, key=lambda party: party.role)
    }
    roles = [
        RoleGroup(value, label, counts.get(value, 0), _unique(listed.get(value, [])))
        for value, label in IncidentEntity.Role.choices
    ]
    incidents = incidents_naming(organisation)
    severities = severity_counts(incidents)
    by_date = incidents.select_related("primary_pattern__domain")
    return Profile(
        organisation=organisation,
        total=sum(s.value for s in severities),
        roles=roles,
        severities=severities,
        domains=[d for d in domain_counts(incidents) if d.value],
        first=by_date.order_by("date_occurred", "code").first(),
        latest=by_date.order_by("-date_occurred", "-code").first(),
    )


def _unique(incidents: list[Incident]) -> list[Incident]:
    """Drop an incident listed twice under one role (two parties, one role)."""
    seen: set[int] = set()
    return [i for i in incidents if not (i.pk in seen or seen.add(i.pk))]


@dataclass
class Letter:
    letter: str
    organisations: list[Organisation]


def index() -> list[Letter]:
    """Return the published organisations A–Z with their incident counts (1 query)."""
    organisations = published_organisations().annotate(
        incident_count=Count(
            "incident_roles__incident",
            filter=Q(incident_roles__incident__state=State.PUBLISHED),
            distinct=True,
        )
    )
    return [
        Letter(letter, list(group))
        for letter, group in groupby(
            sorted(organisations, key=lambda o: o.name.casefold()), key=_letter
        )
    ]


def _letter(organisation: Organisation) -> str:
    first = organisation.name[:1].upper()
    return first if first.isalpha() else "#"
