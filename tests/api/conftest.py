import pytest

from incidents.models import Framework, PatternFramework, Region
from tests.factories import (
    add_entity,
    add_source,
    make_affected_group,
    make_domain,
    make_incident,
    make_pattern,
    make_sector,
    make_term,
)


@pytest.fixture
def knowledge_base(db):
    """A small published knowledge base with every kind of link."""
    domain = make_domain(code="DOM-INF", slug="information-integrity")
    other_domain = make_domain(code="DOM-SEC", slug="security-cyber")
    pattern = make_pattern(
        domain, code="PAT-INF-001", slug="disinformation", title="Disinformation"
    )
    other = make_pattern(
        other_domain, code="PAT-SEC-001", slug="prompt-attacks", severity="critical"
    )
    pattern.related_patterns.add(other)
    group, sector = make_affected_group(slug="public"), make_sector(slug="health")
    pattern.affected_groups.add(group)
    pattern.sectors.add(sector)
    framework = Framework.objects.create(name="EU AI Act", slug="eu-ai-act")
    PatternFramework.objects.create(
        pattern=pattern, framework=framework, label="Article 50"
    )
    incident = make_incident(
        pattern, code="INC-23-0001", severity="critical", narrative="See [1]."
    )
    incident.secondary_patterns.add(other)
    incident.sectors.add(sector)
    incident.regions.add(
        Region.objects.create(
            name="Europe", slug="europe", state="published", last_updated="2024-01-01"
        )
    )
    add_source(incident, title="The report", date="2023-04")
    add_entity(incident, "Acme", "developer")
    make_incident(pattern, code="INC-24-0001", date_occurred="2024-05")
    term = make_term(term="Deepfake", slug="deepfake")
    term.related_incidents.add(incident)
    term.related_patterns.add(pattern)
    term.related_terms.add(make_term(term="Voice Cloning", slug="voice-cloning"))
    return {"domain": domain, "pattern": pattern, "incident": incident, "term": term}
