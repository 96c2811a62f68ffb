"""The JSON shapes of the knowledge base (PRODUCT.md section 5), in and out.

One shape per kind of entry, used by the public API, by `export_entries` and,
read back, by `import_entries`: what the API shows can be loaded into an empty
site. Related entries are named by code (domains, patterns, incidents) or slug
(terms, dimension values); free text is kept as the editors wrote it; list
fields (`why_it_occurs`, `key_facts`...) are lists of lines.
"""

import bisect
import json
import json.decoder
import json.scanner
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.utils import timezone

from editorial import text
from editorial.addresses import site_url
from editorial.models import State
from glossary.models import Category, Term
from incidents.models import (
    DIMENSIONS,
    Dimension,
    Domain,
    Framework,
    Incident,
    IncidentEntity,
    Organisation,
    ThreatPattern,
)

NAME = "Threatwatch"
VERSION = "1.0"
LICENSE = "CC BY 4.0"

# How each dimension is named in the JSON, model by model.
DIMENSION_KEYS: dict[str, type[Dimension]] = {
    model.incident_field: model for model in DIMENSIONS.values()
}

Scope = Callable[[type[Model]], QuerySet]
Data = dict[str, Any]


def public(model: type[Model]) -> QuerySet:
    """Return what readers may see of `model`: the published rows."""
    queryset = model.objects.published()
    if model is ThreatPattern:
        # A pattern is public only under a public domain, as on its page.
        queryset = queryset.filter(domain__state=State.PUBLISHED)
    return queryset


def everything(model: type[Model]) -> QuerySet:
    """Return every row of `model`, drafts included (full exports)."""
    return model.objects.all()


def absolute(path: str) -> str:
    return site_url(path)


def iso(value) -> str | None:
    return value.isoformat() if value else None


def meta(**extra) -> Data:
    """Return the `_meta` block every document starts with."""
    return {
        "name": NAME,
        "version": VERSION,
        "generated": timezone.now().replace(microsecond=0).isoformat(),
        "license": LICENSE,
        **extra,
    }


# --- querysets: everything a shape shows, in a fixed number of queries ---------


def pattern_queryset(scope: Scope) -> QuerySet:
    return (
        scope(ThreatPattern)
        .select_related("domain")
        .prefetch_related(
            "framework_mappings__framework",
            Prefetch(
                "related_patterns", queryset=scope(ThreatPattern).order_by("code")
            ),
            Prefetch(
                "affected_groups", queryset=dimension_queryset(scope, "affected_groups")
            ),
            Prefetch("sectors", queryset=dimension_queryset(scope, "sectors")),
        )
        .order_by("code")
    )


def dimension_queryset(scope: Scope, key: str) -> QuerySet:
    return scope(DIMENSION_KEYS[key]).order_by("slug")


def domain_queryset(scope: Scope) -> QuerySet:
    return (
        scope(Domain)
        .prefetch_related(
            "framework_mappings__framework",
            Prefetch("patterns", queryset=pattern_queryset(scope)),
        )
        .order_by("code")
    )


def entity_queryset(scope: Scope) -> QuerySet:
    """Return an incident's parties whose organisation is in scope."""
    return IncidentEntity.objects.filter(
        organisation__in=scope(Organisation).values("pk")
    ).select_related("organisation")


def organisation_queryset(scope: Scope) -> QuerySet:
    return scope(Organisation).order_by("slug")


def incident_queryset(scope: Scope) -> QuerySet:
    return (
        scope(Incident)
        .select_related("primary_pattern__domain")
        .prefetch_related(
            "sources",
            Prefetch("entities", queryset=entity_queryset(scope)),
            Prefetch(
                "secondary_patterns",
                queryset=scope(ThreatPattern).select_related("domain").order_by("code"),
            ),
            *(
                Prefetch(
                    name, queryset=scope(Incident).only("pk", "code").order_by("code")
                )
                for name in ("pinned_similar", "hidden_similar")
            ),
            *(
                Prefetch(key, queryset=dimension_queryset(scope, key))
                for key in DIMENSION_KEYS
            ),
        )
        .order_by("code")
    )


def term_queryset(scope: Scope) -> QuerySet:
    return (
        scope(Term)
        .select_related("category")
        .prefetch_related(
            Prefetch("related_incidents", queryset=scope(Incident).order_by("code")),
            Prefetch(
                "related_patterns", queryset=scope(ThreatPattern).order_by("code")
            ),
            Prefetch("related_domains", queryset=scope(Domain).order_by("code")),
            Prefetch("related_terms", queryset=scope(Term).order_by("slug")),
        )
        .order_by("slug")
    )


# --- shapes ----------------------------------------------------------------------


def _mappings(entry) -> Data:
    return {m.framework.slug: m.label for m in entry.framework_mappings.all()}


def _slugs(related) -> list[str]:
    return [value.slug for value in related.all()]


def _visible(entry, scope: Scope) -> bool:
    """Whether a related entry loaded through select_related is in scope."""
    if scope is everything or entry is None:
        return entry is not None
    if isinstance(entry, ThreatPattern):
        return entry.is_published and entry.domain.is_published
    return entry.is_published


def pattern_data(pattern: ThreatPattern) -> Data:
    return {
        "pattern_code": pattern.code,
        "title": pattern.title,
        "slug": pattern.slug,
        "domain": pattern.domain.code,
        "tagline": pattern.tagline,
        "definition": pattern.definition,
        "why_it_exists": text.split_lines(pattern.why_it_exists),
        "severity": pattern.severity,
        "likelihood": pattern.likelihood,
        "url": absolute(pattern.get_absolute_url()),
        "last_updated": iso(pattern.last_updated),
        "roles_affected": _slugs(pattern.affected_groups),
        "sectors_affected": _slugs(pattern.sectors),
        "related_patterns": [p.code for p in pattern.related_patterns.all()],
        "framework_mapping": _mappings(pattern),
    }


def domain_data(domain: Domain) -> Data:
    return {
        "domain_code": domain.code,
        "title": domain.title,
        "short_title": domain.short_title,
        "slug": domain.slug,
        "tagline": domain.tagline,
        "definition": domain.definition,
        "why_distinct": text.split_lines(domain.why_distinct),
        "url": absolute(domain.get_absolute_url()),
        "last_updated": iso(domain.last_updated),
        "framework_mapping": _mappings(domain),
        "sub_categories": [pattern_data(p) for p in domain.patterns.all()],
    }


def _pattern_ref(pattern: ThreatPattern) -> Data:
    return {"domain": pattern.domain.code, "pattern": pattern.code}


def incident_data(incident: Incident, scope: Scope = public) -> Data:
    primary = incident.primary_pattern
    data = {
        "id": incident.code,
        "title": incident.title,
        "slug": incident.slug,
        "url": absolute(incident.get_absolute_url()),
        "summary": incident.summary,
        "narrative": incident.narrative,
        "key_facts": text.split_lines(incident.key_facts),
        "status": incident.status,
        "severity": incident.severity,
        "evidence_level": incident.evidence_level,
        "impact_level": incident.impact_level,
        "resolution": incident.resolution,
        "date_occurred": incident.date_occurred,
        "last_updated": iso(incident.last_updated),
    }
    for key in DIMENSION_KEYS:
        data[key] = _slugs(getattr(incident, key))
    data["roles_involved"] = [
        {
            "organisation": entity.organisation.name,
            "role": entity.role,
            "qualifier": entity.qualifier,
        }
        for entity in incident.entities.all()
    ]
    data["threat_patterns"] = {
        "primary": _pattern_ref(primary) if _visible(primary, scope) else None,
        "secondary": [_pattern_ref(p) for p in incident.secondary_patterns.all()],
    }
    # The editors' choices for "Similar incidents" on the incident's page.
    data["similar_pinned"] = [i.code for i in incident.pinned_similar.all()]
    data["similar_hidden"] = [i.code for i in incident.hidden_similar.all()]
    data["sources"] = [
        {
            "title": source.title,
            "publisher": source.publisher,
            "type": source.source_type,
            "date": source.date or None,
            "url": source.url,
        }
        for source in incident.sources.all()
    ]
    data["outcomes"] = {
        "financial_loss": incident.financial_loss,
        "regulatory_action": incident.regulatory_action,
        "other": incident.other_outcome,
    }
    return data


def term_data(term: Term) -> Data:
    return {
        "term": term.term,
        "slug": term.slug,
        "url": absolute(term.get_absolute_url()),
        "category": term.category.name,
        "summary": term.summary,
        "definition": term.definition,
        "relation_to_threats": term.relation_to_threats,
        "why_it_occurs": text.split_lines(term.why_it_occurs),
        "real_world_context": term.real_world_context,
        "related_incidents": [i.code for i in term.related_incidents.all()],
        "related_patterns": [p.code for p in term.related_patterns.all()],
        "related_domains": [d.code for d in term.related_domains.all()],
        "related_terms": [t.slug for t in term.related_terms.all()],
        "same_as": text.split_lines(term.same_as),
        "last_updated": iso(term.last_updated),
    }


def dimension_data(value: Dimension) -> Data:
    data = {"slug": value.slug, "name": value.name, "description": value.description}
    if hasattr(value, "code"):
        data["code"] = value.code
    if hasattr(value, "category"):
        data["category"] = value.category
    if hasattr(value, "lifecycle_stage"):
        data["lifecycle_stage"] = value.lifecycle_stage
    data["last_updated"] = iso(value.last_updated)
    return data


def organisation_data(organisation: Organisation) -> Data:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "aliases": text.split_lines(organisation.aliases),
        "description": organisation.description,
        "website": organisation.website,
        "url": absolute(organisation.get_absolute_url()),
        "last_updated": iso(organisation.last_updated),
    }


def organisation_list_queryset() -> QuerySet:
    """Return the published organisations with their published incident counts."""
    return organisation_queryset(public).annotate(
        incident_count=Count(
            "incident_roles__incident",
            filter=Q(incident_roles__incident__state=State.PUBLISHED),
            distinct=True,
        )
    )


def organisation_detail_data(organisation: Organisation) -> Data:
    """Return an organisation with the codes of its published incidents by role."""
    parties = (
        IncidentEntity.objects.filter(
            organisation=organisation, incident__state=State.PUBLISHED
        )
        .order_by("incident__code")
        .values_list("role", "incident__code")
    )
    roles: dict[str, list[str]] = {value: [] for value in IncidentEntity.Role.values}
    for role, code in parties:
        if code not in roles[role]:
            roles[role].append(code)
    return {**organisation_data(organisation), "incidents_by_role": roles}


def vocabularies_data(scope: Scope) -> Data:
    """Return the small lists entries refer to: frameworks, dimensions..."""
    return {
        "frameworks": [
            {"slug": f.slug, "name": f.name, "url": f.url}
            for f in Framework.objects.order_by("slug")
        ],
        "organisations": [organisation_data(o) for o in organisation_queryset(scope)],
        "term_categories": [
            {"slug": c.slug, "name": c.name, "description": c.description}
            for c in Category.objects.order_by("slug")
        ],
        **{
            key: [dimension_data(v) for v in dimension_queryset(scope, key)]
            for key in DIMENSION_KEYS
        },
    }


# --- reading JSON with line numbers ----------------------------------------------


class LineDict(dict):
    """A decoded JSON object that remembers the line it starts on."""

    line = 0


class LineDecoder(json.JSONDecoder):
    """Decode JSON, giving each object the line number where it starts."""

    def decode(self, s: str, *args, **kwargs):
        starts = [0, *(i + 1 for i, char in enumerate(s) if char == "\n")]

        def parse_object(s_and_end, *rest):
            obj, end = json.decoder.JSONObject(s_and_end, *rest)
            located = LineDict(obj)
            located.line = bisect.bisect_right(starts, s_and_end[1] - 1)
            return located, end

        self.parse_object = parse_object
        self.scan_once = json.scanner.py_make_scanner(self)
        return super().decode(s, *args, **kwargs)


def loads(source: str) -> Any:
    """Parse JSON; objects come back as `LineDict` with their line number."""
    return json.loads(source, cls=LineDecoder)


def dumps(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
