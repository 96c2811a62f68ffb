"""Whole documents of the published knowledge base, as the API and downloads serve them.

`threats.json` (the taxonomy), `incidents.json` (every incident, no paging) and
`citations.json` have the shapes TopAIThreats clients read; the export document
(`exporter.export`) is the one `import_entries` reads back.
"""

from . import citations
from . import json_format as shapes
from .json_format import Data, public


def threats_document(domains: list[Data] | None = None) -> Data:
    """Return the taxonomy; `domains` reuses shapes already made (an export's)."""
    if domains is None:
        domains = [shapes.domain_data(d) for d in shapes.domain_queryset(public)]
    patterns = sum(len(d["sub_categories"]) for d in domains)
    return {
        "_meta": shapes.meta(totals={"domains": len(domains), "patterns": patterns}),
        "domains": domains,
    }


def incidents_document(incidents: list[Data] | None = None) -> Data:
    """Return every published incident in one document (downloads only)."""
    if incidents is None:
        incidents = [shapes.incident_data(i) for i in shapes.incident_queryset(public)]
    return {
        "_meta": shapes.meta(totals={"incidents": len(incidents)}),
        "incidents": incidents,
    }


def citations_document() -> Data:
    found = citations.citations()
    return {
        "_meta": shapes.meta(
            totals={"citations": len(found)}, dataset=citations.dataset_citation()
        ),
        "citations": found,
    }
