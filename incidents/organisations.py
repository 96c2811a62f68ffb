"""What an organisation's public page and the A–Z index show, from published rows.

An organisation is named by incidents through their parties (`IncidentEntity`),
each with a role. Only published incidents count, and an organisation that is
not published has no page and is left out of every count.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse

from editorial.models import State

from .models import Incident, IncidentEntity, Organisation, Severity
from .stats import Tally

#: Incidents listed under each role on the page (the most recently recorded);
#: the rest are one link away.
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
    """Return everything the organisation's page shows (at most 8 queries).

    Built for organisations named by tens of thousands of incidents: each role
    lists its most recently recorded incidents by walking the (organisation,
    incident) index backwards, and one grouped pass counts severities and
    domains together.
    """
    parties = IncidentEntity.objects.filter(
        organisation=organisation, incident__state=State.PUBLISHED
    )
    counts = dict(
        parties.order_by()
        .values_list("role")
        .annotate(n=Count("incident", distinct=True))
    )
    roles = []
    for value, label in IncidentEntity.Role.choices:
        listed = []
        if counts.get(value):
            listed = [
                party.incident
                for party in parties.filter(role=value)
                .select_related("incident__primary_pattern__domain")
                .order_by("-incident_id")[:SHOWN_PER_ROLE]
            ]
        roles.append(RoleGroup(value, label, counts.get(value, 0), _unique(listed)))
    incidents = incidents_naming(organisation)
    groups = list(
        incidents.order_by()
        .values(
            "severity",
            "primary_pattern__domain__short_title",
            "primary_pattern__domain__slug",
            "primary_pattern__domain__state",
        )
        .annotate(n=Count("pk"))
    )
    by_severity: dict[str, int] = {}
    by_domain: dict[tuple[str, str], int] = {}
    for group in groups:
        by_severity[group["severity"]] = (
            by_severity.get(group["severity"], 0) + group["n"]
        )
        if group["primary_pattern__domain__state"] == State.PUBLISHED:
            key = (
                group["primary_pattern__domain__short_title"],
                group["primary_pattern__domain__slug"],
            )
            by_domain[key] = by_domain.get(key, 0) + group["n"]
    by_date = incidents.select_related("primary_pattern__domain")
    return Profile(
        organisation=organisation,
        total=sum(by_severity.values()),
        roles=roles,
        severities=[
            Tally(label, by_severity.get(value, 0)) for value, label in Severity.choices
        ],
        domains=[
            Tally(title, n, reverse("incidents:domain_detail", args=[slug]))
            for (title, slug), n in sorted(by_domain.items(), key=lambda i: -i[1])
        ],
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
    """Return the published organisations A–Z with their incident counts (2 queries).

    Counted on the parties table alone, grouped by organisation, then joined in
    Python: grouping the organisations' own (long) rows cost twice as much.
    """
    counts = dict(
        IncidentEntity.objects.filter(incident__state=State.PUBLISHED)
        .order_by()
        .values_list("organisation_id")
        .annotate(n=Count("incident_id", distinct=True))
    )
    organisations = list(published_organisations().only("pk", "name", "slug"))
    for organisation in organisations:
        organisation.incident_count = counts.get(organisation.pk, 0)
    return [
        Letter(letter, list(group))
        for letter, group in groupby(
            sorted(organisations, key=lambda o: o.name.casefold()), key=_letter
        )
    ]


def _letter(organisation: Organisation) -> str:
    first = organisation.name[:1].upper()
    return first if first.isalpha() else "#"
