"""export_entries: everything published, in the shapes import_entries reads back."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from editorial import services
from editorial.models import Change, State
from glossary.models import Category, Term
from incidents.models import (
    DIMENSIONS,
    Domain,
    DomainFramework,
    Framework,
    Incident,
    Organisation,
    PatternFramework,
    Region,
    ThreatPattern,
)
from tests.factories import (
    add_entity,
    add_source,
    make_affected_group,
    make_domain,
    make_incident,
    make_pattern,
    make_sector,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


def export(tmp_path, name, *extra) -> dict:
    path = tmp_path / name
    call_command("export_entries", "--output", str(path), *extra, stdout=StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def without_generated(document: dict) -> dict:
    return {**document, "_meta": {**document["_meta"], "generated": None}}


def build_knowledge_base():
    framework = Framework.objects.create(
        name="NIST AI RMF", slug="nist-ai-rmf", url="https://nist.example/rmf"
    )
    domain = make_domain(
        code="DOM-INF",
        slug="information-integrity",
        why_distinct="Truth at scale\nHard to reverse",
        last_updated="2024-02-01",
    )
    DomainFramework.objects.create(domain=domain, framework=framework, label="Map 1")
    pattern = make_pattern(
        domain,
        code="PAT-INF-001",
        slug="deepfakes",
        why_it_exists="Cheap tools",
        last_updated="2024-03-01",
    )
    other = make_pattern(domain, code="PAT-INF-002", slug="spam")
    pattern.related_patterns.add(other)
    PatternFramework.objects.create(pattern=pattern, framework=framework, label="M2")
    group = make_affected_group(slug="children", name="Children")
    sector = make_sector(slug="education", name="Education", description="Schools.")
    pattern.affected_groups.add(group)
    pattern.sectors.add(sector)
    region = Region.objects.create(
        name="Europe", slug="europe", state=State.PUBLISHED, last_updated="2023-01-01"
    )
    incident = make_incident(
        pattern,
        code="INC-23-0007",
        date_occurred="2023-03",
        narrative="Reported [1] and [2].",
        key_facts="One fact\nAnother fact",
        financial_loss="US$1M",
        last_updated="2024-04-04",
    )
    incident.secondary_patterns.add(other)
    incident.regions.add(region)
    incident.sectors.add(sector)
    incident.affected_groups.add(group)
    add_source(incident, title="First", date="2023-03-02")
    add_source(incident, title="Second", source_type="academic")
    add_entity(incident, "Acme Labs", "developer")
    add_entity(incident, "City Council", "deployer")
    category = Category.objects.create(name="Harm Mechanism", slug="harm-mechanism")
    term = make_term(
        term="Deepfake",
        slug="deepfake",
        category=category,
        why_it_occurs="Cheap\nConvincing",
        same_as="https://en.wikipedia.org/wiki/Deepfake",
        last_updated="2025-05-05",
    )
    term.related_incidents.add(incident)
    term.related_patterns.add(pattern)
    term.related_domains.add(domain)
    term.related_terms.add(make_term(term="Voice Cloning", category=category))
    return incident, term


def wipe():
    """Empty the content tables, as in a new site."""
    Change.objects.all().delete()
    Term.objects.all().delete()
    Incident.objects.all().delete()
    ThreatPattern.objects.all().delete()
    Domain.objects.all().delete()
    for model in DIMENSIONS.values():
        model.objects.all().delete()
    Framework.objects.all().delete()
    Organisation.objects.all().delete()
    Category.objects.all().delete()


def test_export_import_export_gives_the_same_file(tmp_path):
    build_knowledge_base()
    make_term(state=State.DRAFT, term="Unfinished")
    first = export(tmp_path, "first.json")
    assert first["_meta"]["totals"] == {
        "domains": 1,
        "patterns": 2,
        "incidents": 1,
        "terms": 2,
    }
    assert "Unfinished" not in json.dumps(first)
    wipe()
    call_command(
        "import_entries", str(tmp_path / "first.json"), "--publish", stdout=StringIO()
    )
    second = export(tmp_path, "second.json")
    assert without_generated(second) == without_generated(first)
    incident = Incident.objects.get(code="INC-23-0007")
    assert str(incident.last_updated) == "2024-04-04"
    assert [s.title for s in incident.sources.all()] == ["First", "Second"]


def test_full_export_carries_drafts_and_pending_changes(tmp_path):
    incident, term = build_knowledge_base()
    make_term(state=State.DRAFT, term="Unfinished", slug="unfinished")

    def pending(entry):
        entry.summary = "Pending summary"
        entry.save()

    services.edit(term, by=make_user(), apply=pending)
    document = export(tmp_path, "all.json", "--all")
    terms = {t["slug"]: t for t in document["terms"]}
    assert terms["unfinished"]["state"] == "draft"
    assert terms["deepfake"]["state"] == "published"
    assert terms["deepfake"]["summary"] != "Pending summary"
    assert terms["deepfake"]["pending"]["summary"] == "Pending summary"
    term.refresh_from_db()
    assert term.summary != "Pending summary"

    wipe()
    call_command(
        "import_entries", str(tmp_path / "all.json"), "--publish", stdout=StringIO()
    )
    assert Term.objects.get(slug="unfinished").state == State.DRAFT
    deepfake = Term.objects.get(slug="deepfake")
    assert deepfake.state == State.PUBLISHED
    assert deepfake.summary != "Pending summary"
    assert Change.objects.for_entry(deepfake).get().is_pending


def test_export_of_the_public_site_matches_the_api(client, tmp_path, settings):
    # With SITE_URL set, as production requires, both name the same addresses.
    settings.SITE_URL = "https://threatwatch.example"
    build_knowledge_base()
    document = export(tmp_path, "public.json")
    api = client.get("/api/incidents.json").json()
    assert document["incidents"] == api["incidents"]
    assert document["domains"] == client.get("/api/threats.json").json()["domains"]


# --- the admin import page ----------------------------------------------------


SAMPLE_TEXT = (
    "Model Collapse\n"
    "A model trained on its own output loses the variety of real data.\n"
    "Definition\nWhen models learn from text other models wrote, rare cases vanish.\n"
    "How It Relates to AI Threats\nIt degrades the information ecosystem.\n"
    "Why It Occurs\n- Synthetic text floods the web\n"
    "Real-World Context\nResearchers showed it in 2023.\n"
    "Related Terms\n- Large Language Model\nLast updated: 2025-06-01\n"
)


def test_editor_uploads_checks_and_confirms_an_import(client):
    editor = make_user(role="Author")
    client.force_login(editor)
    page = client.get("/admin/import/")
    assert page.status_code == 200
    upload = SimpleUploadedFile("collapse.txt", SAMPLE_TEXT.encode())
    checked = client.post("/admin/import/", {"files": [upload]})
    html = checked.content.decode()
    assert "Check: nothing has been written yet" in html
    assert "created draft glossary term model-collapse (collapse.txt:1)" in html
    assert "unknown term &#x27;Large Language Model&#x27; left out" in html
    assert not Term.objects.exists()
    token = checked.context["token"]
    done = client.post("/admin/import/", {"confirm": "1", "token": token})
    assert "Imported: 1 created as drafts" in done.content.decode()
    term = Term.objects.get(slug="model-collapse")
    assert term.state == State.DRAFT
    again = client.post("/admin/import/", {"confirm": "1", "token": token})
    assert "already run or has expired" in again.content.decode()


def test_admin_import_lists_problems_and_writes_nothing(client):
    client.force_login(make_user(role="Author"))
    upload = SimpleUploadedFile("bad.txt", b"Only a title\n")
    html = client.post("/admin/import/", {"files": [upload]}).content.decode()
    assert "Import refused, nothing was written" in html
    assert "bad.txt:1:" in html
    assert not Term.objects.exists()


def test_admin_import_needs_the_add_permissions(client):
    client.force_login(make_user())
    assert client.get("/admin/import/").status_code == 403
    client.logout()
    assert client.get("/admin/import/").status_code == 302
