"""The knowledge base as a graph: entries are nodes, their links are edges."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch

from exchange.json_format import Data, absolute, public
from glossary.models import Term
from incidents.models import (
    Domain,
    Incident,
    IncidentEntity,
    Organisation,
    ThreatPattern,
)


def domain_node(domain: Domain) -> str:
    return f"domain:{domain.code}"


def pattern_node(pattern: ThreatPattern) -> str:
    return f"sub:{pattern.domain.code}-{pattern.slug}"


def incident_node(incident: Incident) -> str:
    return f"incident:{incident.code}"


def organisation_node(organisation: Organisation) -> str:
    return f"organisation:{organisation.slug}"


def term_node(term: Term) -> str:
    return f"glossary:{term.slug}"


@dataclass
class Graph:
    nodes: dict[str, Data] = field(default_factory=dict)
    edges: list[Data] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def node(self, node_id: str, kind: str, entry, label: str, code: str) -> None:
        self.nodes[node_id] = {
            "id": node_id,
            "type": kind,
            "label": label,
            "code": code,
            "url": absolute(entry.get_absolute_url()),
        }

    def edge(
        self, source: str, target: str, kind: str, *, both_ways=False, **extra
    ) -> None:
        """Add an edge between two public nodes; links to hidden entries drop."""
        if source not in self.nodes or target not in self.nodes:
            return
        if both_ways:
            source, target = sorted((source, target))
        if (source, target, kind, *extra.values()) in self._seen:
            return
        self._seen.add((source, target, kind, *extra.values()))
        self.edges.append({"source": source, "target": target, "type": kind, **extra})

    def as_data(self) -> Data:
        degree = Counter()
        for edge in self.edges:
            degree[edge["source"]] += 1
            degree[edge["target"]] += 1
        nodes = [{**node, "degree": degree[key]} for key, node in self.nodes.items()]
        return {"nodes": nodes, "edges": self.edges}


def build() -> tuple[Data, list[str], Data]:
    """Return the graph of published entries, its coverage warnings and totals."""
    graph = Graph()
    domains = list(public(Domain).order_by("code"))
    patterns = list(
        public(ThreatPattern)
        .select_related("domain")
        .prefetch_related(
            Prefetch("related_patterns", queryset=public(ThreatPattern)),
        )
        .order_by("code")
    )
    incidents = list(
        public(Incident)
        .select_related("primary_pattern__domain")
        .prefetch_related(
            Prefetch(
                "secondary_patterns",
                queryset=public(ThreatPattern).select_related("domain"),
            ),
            Prefetch(
                "entities",
                queryset=IncidentEntity.objects.only(
                    "incident_id", "organisation_id", "role", "position"
                ),
            ),
        )
        .order_by("code")
    )
    organisations = list(public(Organisation).order_by("slug"))
    terms = list(
        public(Term)
        .prefetch_related(
            Prefetch("related_incidents", queryset=public(Incident)),
            Prefetch(
                "related_patterns",
                queryset=public(ThreatPattern).select_related("domain"),
            ),
            Prefetch("related_domains", queryset=public(Domain)),
            Prefetch("related_terms", queryset=public(Term)),
        )
        .order_by("slug")
    )
    for domain in domains:
        graph.node(domain_node(domain), "domain", domain, domain.title, domain.code)
    for pattern in patterns:
        graph.node(
            pattern_node(pattern), "sub_category", pattern, pattern.title, pattern.code
        )
    for incident in incidents:
        graph.node(
            incident_node(incident), "incident", incident, incident.title, incident.code
        )
    for term in terms:
        graph.node(term_node(term), "glossary", term, term.term, term.slug)
    organisation_nodes = {}
    for organisation in organisations:
        node = organisation_nodes[organisation.pk] = organisation_node(organisation)
        graph.node(
            node, "organisation", organisation, organisation.name, organisation.slug
        )

    for pattern in patterns:
        graph.edge(domain_node(pattern.domain), pattern_node(pattern), "has_pattern")
        for other in pattern.related_patterns.all():
            graph.edge(
                pattern_node(pattern),
                pattern_node(other),
                "related_pattern",
                both_ways=True,
            )
    for incident in incidents:
        primary = incident.primary_pattern
        node = incident_node(incident)
        graph.edge(node, domain_node(primary.domain), "belongs_to")
        graph.edge(node, pattern_node(primary), "primary_pattern")
        for pattern in incident.secondary_patterns.all():
            graph.edge(node, pattern_node(pattern), "secondary_pattern")
        for entity in incident.entities.all():
            target = organisation_nodes.get(entity.organisation_id)
            if target:
                graph.edge(node, target, "involves", role=entity.role)
    for term in terms:
        node = term_node(term)
        for incident in term.related_incidents.all():
            graph.edge(incident_node(incident), node, "references_term")
        for pattern in term.related_patterns.all():
            graph.edge(node, pattern_node(pattern), "explains")
        for domain in term.related_domains.all():
            graph.edge(node, domain_node(domain), "explains")
        for other in term.related_terms.all():
            graph.edge(node, term_node(other), "related_term", both_ways=True)

    data = graph.as_data()
    degree = {node["id"]: node["degree"] for node in data["nodes"]}
    with_incidents = {
        edge["target"]
        for edge in graph.edges
        if edge["type"] in ("primary_pattern", "secondary_pattern")
    }
    warnings = [
        f"{domain.code} {domain.title}: no published threat patterns"
        for domain in domains
        if not any(p.domain_id == domain.pk for p in patterns)
    ]
    warnings += [
        f"{pattern.code} {pattern.title}: no published incidents"
        for pattern in patterns
        if pattern_node(pattern) not in with_incidents
    ]
    warnings += [
        f"{incident.code}: its primary pattern is not published"
        for incident in incidents
        if pattern_node(incident.primary_pattern) not in graph.nodes
    ]
    warnings += [
        f"glossary term {term.slug}: linked to nothing"
        for term in terms
        if not degree[term_node(term)]
    ]
    totals = {
        "domains": len(domains),
        "patterns": len(patterns),
        "incidents": len(incidents),
        "terms": len(terms),
        "organisations": len(organisations),
        "nodes": len(data["nodes"]),
        "edges": len(data["edges"]),
    }
    return data, warnings, totals
