"""import_entries: glossary text and JSON in, all or nothing, through the services."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from reversion.models import Version

from editorial.models import Change, State
from glossary.models import Category, Term
from incidents.models import Incident
from tests.factories import (
    make_category,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "samples" / "glossary-entry.txt"


def run(*args) -> str:
    out = StringIO()
    call_command("import_entries", *map(str, args), stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    message = str(error.value)
    assert message.startswith("Import refused, nothing was written.")
    return message


def written() -> tuple[int, int, int]:
    return Term.objects.count(), Version.objects.count(), Incident.objects.count()


def test_sample_imports_to_a_term_whose_page_shows_every_section(client):
    make_incident(code="INC-23-0001")
    make_pattern(title="Tool Misuse & Privilege Escalation")
    make_term(term="Jailbreak")
    output = run(SAMPLE, "--publish")
    term = Term.objects.get(slug="prompt-injection")
    assert term.state == State.PUBLISHED
    assert term.category.name == "Uncategorised"
    assert str(term.last_updated) == "2026-03-02"
    assert "created and published glossary term prompt-injection" in output
    assert (
        f"{SAMPLE}:19: glossary term prompt-injection: unknown threat pattern "
        "'Model Inversion & Data Extraction' left out." in output
    )
    assert "unknown term 'Agentic AI' left out" in output
    html = client.get("/glossary/prompt-injection/").content.decode()
    for text in (
        "Prompt Injection",
        "An attack in which text supplied to a language model",
        "Definition",
        "Prompt injection happens when a model cannot tell",
        "How It Relates to AI Threats",
        "Why It Occurs",
        "<li>Filters that look for known attack phrases are easy to rephrase",
        "Real-World Context",
        "OWASP Top 10",
        "Tool Misuse &amp; Privilege Escalation",
        "Jailbreak",
        "2026-03-02",
    ):
        assert text in html, text
    assert [i.code for i in term.related_incidents.all()] == ["INC-23-0001"]


def test_new_entries_become_drafts_without_publish(client):
    output = run(SAMPLE)
    term = Term.objects.get(slug="prompt-injection")
    assert term.state == State.DRAFT
    assert Change.objects.for_entry(term).exists()
    assert "created draft glossary term prompt-injection" in output
    assert client.get("/glossary/prompt-injection/").status_code == 404


def test_reimport_of_a_published_term_creates_a_pending_change(client, tmp_path):
    run(SAMPLE, "--publish")
    before = client.get("/glossary/prompt-injection/").content
    changed = tmp_path / "changed.txt"
    changed.write_text(
        SAMPLE.read_text().replace("happens when", "occurs whenever"), encoding="utf-8"
    )
    output = run(changed)
    term = Term.objects.get(slug="prompt-injection")
    change = Change.objects.for_entry(term).get()
    assert change.is_pending
    assert "pending change for review: glossary term prompt-injection" in output
    assert "happens when" in term.definition
    assert client.get("/glossary/prompt-injection/").content == before


def test_reimport_of_the_same_file_changes_nothing():
    run(SAMPLE, "--publish")
    versions = Version.objects.count()
    output = run(SAMPLE)
    assert "unchanged: glossary term prompt-injection" in output
    assert Version.objects.count() == versions
    assert not Change.objects.exists()


def test_revisions_are_recorded_as_the_importing_user():
    editor = make_user("editor")
    run(SAMPLE, "--user", "editor")
    term = Term.objects.get()
    assert Version.objects.get_for_object(term).get().revision.user == editor
    Term.objects.filter(slug="prompt-injection").delete()
    run(SAMPLE)
    term = Term.objects.get(slug="prompt-injection")
    user = Version.objects.get_for_object(term).get().revision.user
    assert user.username == "importer" and not user.is_active


def test_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run(SAMPLE, "--user", "nobody")


def test_dry_run_reports_and_writes_nothing():
    before = written()
    output = run(SAMPLE, "--dry-run", "--publish")
    assert "created and published glossary term prompt-injection" in output
    assert "Dry run: nothing was written." in output
    assert written() == before
    assert not Category.objects.exists()


def test_a_folder_imports_every_text_and_json_file(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "a.txt")
    (tmp_path / "b.json").write_text(
        json.dumps([_term_json("Jailbreak", related_terms=["prompt injection"])])
    )
    (tmp_path / "notes.md").write_text("ignored")
    run(tmp_path, "--publish")
    jailbreak = Term.objects.get(slug="jailbreak")
    assert jailbreak.category.name == "Attack Technique"
    assert [t.slug for t in jailbreak.related_terms.all()] == ["prompt-injection"]


def _term_json(name, **extra):
    return {
        "term": name,
        "category": "Attack Technique",
        "summary": f"About {name}.",
        "definition": f"{name} defined.",
        "why_it_occurs": ["One", "Two"],
        "last_updated": "2025-01-02",
        **extra,
    }


# --- bad input: refused with a precise message, nothing written --------------


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "latin.txt"
    bad.write_bytes(
        SAMPLE.read_text().replace("Definition\n", "Définition\n", 1).encode("latin-1")
    )
    message = refused(bad)
    assert f"{bad}:3: Not UTF-8: byte 0xe9" in message
    assert written() == (0, 0, 0)


def test_missing_sections_are_each_reported(tmp_path):
    text = SAMPLE.read_text()
    text = text.replace("Why It Occurs\n", "").replace("Real-World Context\n", "")
    bad = tmp_path / "short.txt"
    bad.write_text(text)
    message = refused(bad)
    assert "Missing section 'Real-World Context'" in message
    assert "Items under 'How It Relates to AI Threats'" not in message
    assert f"{bad}:" in message
    assert written() == (0, 0, 0)


def test_malformed_date_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "date.txt"
    bad.write_text(SAMPLE.read_text().replace("2026-03-02", "2026-13-45"))
    message = refused(bad)
    assert f"{bad}:24: Malformed date '2026-13-45'" in message


def test_bullets_are_required_where_lists_are_expected(tmp_path):
    bad = tmp_path / "bullets.txt"
    bad.write_text(
        SAMPLE.read_text().replace("- Models are trained", "Models are trained", 1)
    )
    assert f"{bad}:9: Items under 'Why It Occurs' are '- ' bullets" in refused(bad)


def test_duplicate_codes_within_a_file_are_refused(tmp_path):
    pattern = make_pattern()
    incident = {
        "id": "INC-22-0007",
        "title": "Twice",
        "summary": "Once is enough.",
        "narrative": "It happened.",
        "date_occurred": "2022",
        "status": "confirmed",
        "severity": "low",
        "evidence_level": "primary",
        "impact_level": "group",
        "threat_patterns": {"primary": {"pattern": pattern.code}},
    }
    bad = tmp_path / "dupes.json"
    bad.write_text(json.dumps({"incidents": [incident, incident]}, indent=2))
    message = refused(bad)
    assert "Duplicate incident 'inc-22-0007': already given at" in message
    assert message.count(f"{bad}:") == 2
    assert not Incident.objects.filter(code="INC-22-0007").exists()


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    message = refused(big)
    assert "File is 50.0 MB; the limit is 10 MB." in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"nodes": [], "edges": []}, "graph.json holds links only"),
        (42, "Expected a JSON object or a list of entries"),
        ([{"hello": "world"}], "Not an entry"),
        ({"incidents": {"id": "INC-22-0001"}}, "'incidents' must be a list"),
        ({"terms": [{"term": "X", "summary": 5}]}, "'summary' must be text"),
    ],
)
def test_json_of_the_wrong_shape_is_refused(tmp_path, document, expected):
    bad = tmp_path / "shape.json"
    bad.write_text(json.dumps(document, indent=2))
    assert expected in refused(bad)
    assert written() == (0, 0, 0)


def test_invalid_json_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('[\n  {"term": "A",\n  "summary": }\n]')
    assert f"{bad}:3: Not valid JSON" in refused(bad)


def test_every_problem_in_every_file_is_listed_and_nothing_is_written(tmp_path):
    make_category(name="Attack Technique", slug="attack-technique")
    shutil.copy(SAMPLE, tmp_path / "good.txt")
    (tmp_path / "bad-date.txt").write_text(
        SAMPLE.read_text()
        .replace("Prompt Injection\n", "Other Term\n", 1)
        .replace("2026-03-02", "yesterday")
    )
    (tmp_path / "bad.json").write_text(
        json.dumps(
            [_term_json("Model Drift", summary="x" * 400, last_updated="2025-02-30")],
            indent=2,
        )
    )
    message = refused(tmp_path)
    assert "bad-date.txt:24: Malformed date 'yesterday'" in message
    assert "bad.json:2: glossary term model-drift: summary:" in message
    assert (
        "bad.json:2: glossary term model-drift: malformed date '2025-02-30'" in message
    )
    assert written() == (0, 0, 0)


def test_json_entry_that_exists_and_is_published_gets_a_pending_change(tmp_path):
    pattern = make_pattern(code="PAT-AAA-001")
    incident = make_incident(pattern, code="INC-23-0042", title="Live title")
    data = {
        "id": "INC-23-0042",
        "title": "Imported title",
        "threat_patterns": {"primary": {"pattern": "pat-aaa-001"}},
        "sectors": ["no-such-sector"],
    }
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(data))
    output = run(path)
    incident.refresh_from_db()
    assert incident.title == "Live title"
    assert Change.objects.for_entry(incident).get().is_pending
    assert "pending change for review: incident INC-23-0042" in output
    assert "unknown sector 'no-such-sector' left out" in output


def test_unresolved_required_reference_is_an_error(tmp_path):
    data = {
        "id": "INC-23-0050",
        "title": "Orphan",
        "summary": "s",
        "narrative": "n [2]",
        "date_occurred": "2023",
        "status": "confirmed",
        "severity": "low",
        "evidence_level": "primary",
        "impact_level": "group",
        "threat_patterns": {"primary": {"pattern": "PAT-NOP-001"}},
    }
    path = tmp_path / "orphan.json"
    path.write_text(json.dumps([data]))
    message = refused(path)
    assert "unknown primary pattern" in message


def test_dangling_footnote_is_refused(tmp_path):
    make_pattern(code="PAT-AAA-002")
    data = {
        "id": "INC-23-0051",
        "title": "Cited",
        "summary": "s",
        "narrative": "As reported [2].",
        "date_occurred": "2023-05",
        "status": "confirmed",
        "severity": "low",
        "evidence_level": "primary",
        "impact_level": "group",
        "threat_patterns": {"primary": "PAT-AAA-002"},
        "sources": [{"title": "One", "type": "journalism", "url": "https://a.example"}],
    }
    path = tmp_path / "cited.json"
    path.write_text(json.dumps([data]))
    assert "footnotes [2] cite no source (1 given)" in refused(path)


def test_json_nested_far_too_deep_is_a_listed_problem(tmp_path):
    bad = tmp_path / "deep.json"
    bad.write_text("[" * 100_000 + "]" * 100_000)
    message = refused(bad)
    assert f"{bad}:1: Nested more than 40 levels deep" in message
    assert written() == (0, 0, 0)


def test_deep_nesting_is_found_on_its_line_and_brackets_in_text_do_not_count(
    tmp_path,
):
    bad = tmp_path / "deep.json"
    text = json.dumps([_term_json("Brackets", summary="[[[[" * 50)], indent=2)
    bad.write_text(text[:-1] + ",\n" + "[" * 41 + "]" * 41 + "\n]")
    message = refused(bad)
    line = text.count("\n") + 2
    assert f"{bad}:{line}: Nested more than 40 levels deep" in message
    assert "summary" not in message


@pytest.mark.parametrize("where", ["summary", "key"])
def test_a_nul_byte_in_json_is_a_listed_problem(tmp_path, where):
    term = _term_json("Nul Byte", summary="before\u0000after")
    if where == "key":
        term = _term_json("Nul Byte")
        term["odd\u0000key"] = "x"
    bad = tmp_path / "nul.json"
    bad.write_text(json.dumps({"terms": [term]}, indent=2))
    message = refused(bad)
    expected = "'summary'" if where == "summary" else "Key 'odd\\\\0key'"
    assert f"{bad}:3: {expected} holds a NUL byte (\\0)" in message
    assert written() == (0, 0, 0)


def test_a_nul_byte_in_glossary_text_is_a_listed_problem(tmp_path):
    bad = tmp_path / "nul.txt"
    bad.write_text(SAMPLE.read_text().replace("Definition\n", "Defi\x00nition\n", 1))
    message = refused(bad)
    assert f"{bad}:3: The text holds a NUL byte (\\0)" in message
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[" * 100_000, "deep.json:1: Nested more than 40 levels deep"),
        (
            json.dumps({"terms": [_term_json("Nul", summary="a\u0000b")]}, indent=2),
            "deep.json:3: &#x27;summary&#x27; holds a NUL byte",
        ),
    ],
)
def test_admin_import_lists_deep_nesting_and_nul_bytes(client, content, expected):
    client.force_login(make_user(role="Author"))
    upload = SimpleUploadedFile("deep.json", content.encode())
    response = client.post("/admin/import/", {"files": [upload]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Import refused, nothing was written" in html
    assert expected in html
    assert written() == (0, 0, 0)
