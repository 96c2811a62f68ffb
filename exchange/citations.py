"""Ready citations of every published entry: `/api/citations.json` and downloads.

Each citation is the one the entry's page shows (plain text and BibTeX), built
by `incidents.metadata`, with the entry's permanent address.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from glossary.models import Term
from incidents import metadata
from incidents.models import Domain, Incident, Organisation, ThreatPattern

from .json_format import Data, iso, public

DATASET_TITLE = "Threatwatch: a knowledge base of AI threats and incidents"


def _entry(kind: str, key: str, citation: metadata.Citation) -> Data:
    return {
        "id": key,
        "type": kind,
        "title": citation.full_title,
        "url": citation.url,
        "last_updated": iso(citation.updated),
        "text": citation.text(),
        "bibtex": citation.bibtex(),
    }


def citations() -> list[Data]:
    """Return the citation of every published entry (5 queries)."""
    found = []
    for domain in public(Domain).order_by("code"):
        found.append(
            _entry(
                "domain",
                domain.code,
                metadata.cite(domain, kind="Domain", title=domain.title),
            )
        )
    patterns = public(ThreatPattern).select_related("domain")
    for pattern in patterns.order_by("code"):
        found.append(
            _entry(
                "threat_pattern",
                pattern.code,
                metadata.cite(pattern, kind="Threat pattern", title=pattern.title),
            )
        )
    for incident in (
        public(Incident).order_by("code").only("code", "title", "slug", "last_updated")
    ):
        path = reverse("incidents:incident_detail", kwargs={"code": incident.code})
        found.append(
            _entry(
                "incident",
                incident.code,
                metadata.cite(
                    incident, kind="Incident", title=incident.title, permanent_path=path
                ),
            )
        )
    for term in public(Term).order_by("slug").only("slug", "term", "last_updated"):
        found.append(
            _entry(
                "glossary_term",
                term.slug,
                metadata.cite(term, kind="Glossary term", title=term.term),
            )
        )
    for organisation in public(Organisation).order_by("slug"):
        found.append(
            _entry(
                "organisation",
                organisation.slug,
                metadata.cite(
                    organisation, kind="Organisation", title=organisation.name
                ),
            )
        )
    return found


def dataset_citation(on=None) -> Data:
    """Return how to cite the whole data set (a snapshot of it, if `on` is given)."""
    on = on or timezone.localdate()
    url = settings.SITE_URL + reverse("downloads:index")
    text = (
        f"Threatwatch. “{DATASET_TITLE}”. Data set, snapshot of "
        f"{on:%Y-%m-%d}. Licensed CC BY 4.0. {url}"
    )
    bibtex = (
        f"@misc{{threatwatch-dataset-{on:%Y%m%d},\n"
        f"  title = {{{DATASET_TITLE}}},\n"
        "  author = {Threatwatch},\n"
        f"  year = {{{on:%Y}}},\n"
        f"  note = {{Data set snapshot of {on:%Y-%m-%d}, CC BY 4.0}},\n"
        f"  url = {{{url}}}\n}}\n"
    )
    return {"text": text, "bibtex": bibtex, "url": url}
