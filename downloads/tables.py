"""The CSV files of a snapshot, one per kind of entry, from the export document.

Built from the same document as `threatwatch-export.json`, so every file of a
snapshot tells the same story. Text a spreadsheet would run as a formula is
quoted with a leading apostrophe, as in `/api/incidents.csv`.
"""

from exchange.json_format import DIMENSION_KEYS, Data

FORMULA_STARTS = ("=", "+", "-", "@")


def _cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _table(columns: list[str], rows: list[Data]) -> list[list[str]]:
    return [columns, *([_cell(row.get(c)) for c in columns] for row in rows)]


def csv_tables(export: Data) -> list[tuple[str, str, list[list[str]]]]:
    """Return (file name, title, rows) of each CSV file."""
    domains = export["domains"]
    patterns = [p for d in domains for p in d["sub_categories"]]
    incidents = []
    for incident in export["incidents"]:
        primary = incident["threat_patterns"]["primary"] or {}
        incidents.append(
            {
                **incident,
                "domain": primary.get("domain", ""),
                "primary_pattern": primary.get("pattern", ""),
                "secondary_patterns": [
                    p["pattern"] for p in incident["threat_patterns"]["secondary"]
                ],
                "organisations": [
                    f"{party['organisation']} ({party['role']})"
                    for party in incident["roles_involved"]
                ],
                "source_urls": [source["url"] for source in incident["sources"]],
            }
        )
    vocabularies = export["vocabularies"]
    values = [
        {"dimension": key, **value}
        for key in DIMENSION_KEYS
        for value in vocabularies.get(key, [])
    ]
    return [
        (
            "domains.csv",
            "Domains, one row each",
            _table(
                [
                    "domain_code",
                    "title",
                    "short_title",
                    "slug",
                    "tagline",
                    "url",
                    "last_updated",
                ],  # fmt: skip
                domains,
            ),
        ),
        (
            "patterns.csv",
            "Threat patterns, one row each",
            _table(
                [
                    "pattern_code",
                    "title",
                    "slug",
                    "domain",
                    "severity",
                    "likelihood",
                    "tagline",
                    "related_patterns",
                    "url",
                    "last_updated",
                ],  # fmt: skip
                patterns,
            ),
        ),
        (
            "incidents.csv",
            "Incidents, one row each",
            _table(
                [
                    "id",
                    "title",
                    "url",
                    "status",
                    "severity",
                    "evidence_level",
                    "impact_level",
                    "resolution",
                    "date_occurred",
                    "domain",
                    "primary_pattern",
                    "secondary_patterns",
                    "sectors",
                    "regions",
                    "affected_groups",
                    "organisations",
                    "summary",
                    "source_urls",
                    "last_updated",
                ],  # fmt: skip
                incidents,
            ),
        ),
        (
            "glossary.csv",
            "Glossary terms, one row each",
            _table(
                [
                    "term",
                    "slug",
                    "category",
                    "summary",
                    "related_incidents",
                    "related_patterns",
                    "url",
                    "last_updated",
                ],  # fmt: skip
                export["terms"],
            ),
        ),
        (
            "organisations.csv",
            "Organisations, one row each",
            _table(
                ["slug", "name", "aliases", "website", "url", "last_updated"],
                vocabularies.get("organisations", []),
            ),
        ),
        (
            "dimensions.csv",
            "Dimension values (sectors, regions, harm types...), one row each",
            _table(
                ["dimension", "slug", "name", "code", "category", "last_updated"],
                values,
            ),
        ),
    ]
