"""Test data as plain functions: make_x(**overrides) returns a saved object."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from editorial.models import State
from editorial.services import start_of_day
from glossary.models import Category, Term
from incidents.models import (
    AffectedGroup,
    Domain,
    Incident,
    IncidentEntity,
    IncidentSource,
    Organisation,
    Sector,
    ThreatPattern,
)

_numbers = itertools.count(1)


def _published(overrides: dict) -> dict:
    if overrides.get("state", State.PUBLISHED) == State.PUBLISHED:
        overrides.setdefault("state", State.PUBLISHED)
        overrides.setdefault("last_updated", timezone.localdate())
        # As the services keep it: never last updated before first published.
        updated = overrides["last_updated"]
        if isinstance(updated, str):
            updated = datetime.date.fromisoformat(updated)
        now = timezone.now()
        first = start_of_day(updated) if updated < timezone.localdate(now) else now
        overrides.setdefault("first_published", first)
    return overrides


def make_user(username: str | None = None, *, role: str | None = None, **overrides):
    username = username or f"user{next(_numbers)}"
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", is_staff=True, **overrides
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_domain(**overrides) -> Domain:
    n = next(_numbers)
    letters = "".join(chr(65 + (n // 26**i) % 26) for i in range(3))
    defaults = {
        "code": f"DOM-{letters}",
        "title": f"Domain {n}",
        "short_title": f"Domain {n}",
        "slug": f"domain-{n}",
        "tagline": "A domain of threats.",
        "definition": "What the domain covers.",
    }
    return Domain.objects.create(**_published({**defaults, **overrides}))


def make_pattern(domain: Domain | None = None, **overrides) -> ThreatPattern:
    domain = domain or make_domain()
    n = next(_numbers)
    defaults = {
        "code": f"PAT-{domain.letters}-{n % 1000:03d}",
        "title": f"Pattern {n}",
        "slug": f"pattern-{n}",
        "tagline": "A pattern of harm.",
        "definition": "What the pattern is.",
        "severity": "high",
        "likelihood": "increasing",
        "domain": domain,
    }
    return ThreatPattern.objects.create(**_published({**defaults, **overrides}))


def make_incident(pattern: ThreatPattern | None = None, **overrides) -> Incident:
    n = next(_numbers)
    defaults = {
        "title": f"Incident {n}",
        "slug": f"incident-{n}",
        "summary": "Something went wrong.",
        "narrative": "A model did something harmful.",
        "date_occurred": "2023-03-30",
        "status": "confirmed",
        "severity": "medium",
        "evidence_level": "primary",
        "impact_level": "organization",
        "primary_pattern": pattern or make_pattern(),
    }
    return Incident.objects.create(**_published({**defaults, **overrides}))


def add_source(incident: Incident, **overrides) -> IncidentSource:
    defaults = {
        "title": "A report",
        "publisher": "A publisher",
        "source_type": "journalism",
        "url": "https://example.org/report",
        "position": incident.sources.count() + 1,
    }
    return IncidentSource.objects.create(incident=incident, **{**defaults, **overrides})


def add_entity(incident: Incident, name: str = "Acme", role: str = "developer"):
    organisation = Organisation.objects.filter(name=name).first() or make_organisation(
        name=name, slug=name.lower().replace(" ", "-")
    )
    return IncidentEntity.objects.create(
        incident=incident, organisation=organisation, role=role
    )


def make_organisation(**overrides) -> Organisation:
    n = next(_numbers)
    defaults = {"name": f"Organisation {n}", "slug": f"organisation-{n}"}
    return Organisation.objects.create(**_published({**defaults, **overrides}))


def make_sector(**overrides) -> Sector:
    n = next(_numbers)
    defaults = {"name": f"Sector {n}", "slug": f"sector-{n}"}
    return Sector.objects.create(**_published({**defaults, **overrides}))


def make_affected_group(**overrides) -> AffectedGroup:
    n = next(_numbers)
    defaults = {"name": f"Group {n}", "slug": f"group-{n}", "category": "individuals"}
    return AffectedGroup.objects.create(**_published({**defaults, **overrides}))


def make_category(**overrides) -> Category:
    n = next(_numbers)
    defaults = {"name": f"Category {n}", "slug": f"category-{n}"}
    return Category.objects.create(**{**defaults, **overrides})


def make_term(**overrides) -> Term:
    n = next(_numbers)
    defaults = {
        "term": f"Term {n}",
        "slug": f"term-{n}",
        "summary": "A term worth knowing.",
        "definition": "What the term means.",
    }
    if "category" not in overrides:
        defaults["category"] = make_category()
    return Term.objects.create(**_published({**defaults, **overrides}))


# --- Reading experience (public pages): any dimension value -------------------


def make_dimension(model, **overrides):
    """Return a saved value of any dimension model (Region, Asset, CausalFactor...)."""
    n = next(_numbers)
    defaults = {"name": f"{model.__name__} {n}", "slug": f"{model.url_prefix}-{n}"}
    if model.__name__ == "CausalFactor":
        defaults |= {"code": f"CAUSE-{n % 1000:03d}", "category": "design_development"}
    if model.__name__ == "AffectedGroup":
        defaults["category"] = "individuals"
    return model.objects.create(**_published({**defaults, **overrides}))


def publish_change(entry, *, author, reviewer, **fields):
    """Change fields of a published entry through review: edit, submit, approve."""
    from editorial import services

    def apply(live):
        for name, value in fields.items():
            setattr(live, name, value)
        live.save()

    services.edit(entry, by=author, apply=apply)
    services.submit(entry, by=author)
    services.approve(entry, by=reviewer)
