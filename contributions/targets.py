"""Which published entry a "Suggest a correction" link is about, from its page."""

from django.urls import Resolver404, resolve

from glossary.models import Term
from incidents.models import DIMENSIONS, Domain, Incident, Organisation, ThreatPattern


def entry_for_path(path: str):
    """Return the published entry whose public page is at `path`, or None."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return None
    kwargs = match.kwargs
    lookups = {
        "incidents:incident_detail": lambda: Incident.objects.filter(
            code=kwargs.get("code")
        ),
        "incidents:pattern_detail": lambda: ThreatPattern.objects.filter(
            slug=kwargs.get("slug")
        ),
        "incidents:domain_detail": lambda: Domain.objects.filter(
            slug=kwargs.get("slug")
        ),
        "incidents:organisation_detail": lambda: Organisation.objects.filter(
            slug=kwargs.get("slug")
        ),
        "glossary:detail": lambda: Term.objects.filter(slug=kwargs.get("slug")),
        "incidents:dimension_detail": lambda: DIMENSIONS[
            kwargs["dimension"]
        ].objects.filter(slug=kwargs.get("slug")),
    }
    lookup = lookups.get(match.view_name)
    if lookup is None:
        return None
    return lookup().published().first()
