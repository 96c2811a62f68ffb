"""A search for a glossary term also finds the entries tied to it.

"deepfake" finds the voice-clone robocall, whose text never says "deepfake",
because the term Deepfake lists it among its related incidents; the same for
its related terms, patterns and domains. Full text (PostgreSQL) and the simple
backend (the SQLite quick start) alike, drafts never, the query count fixed.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from editorial.models import State
from overview import search
from tests.factories import make_domain, make_incident, make_pattern, make_term

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tied():
    domain = make_domain(title="Information integrity", tagline="Truth at scale.")
    pattern = make_pattern(
        domain, title="Identity hijacking", tagline="Posing as someone real."
    )
    direct = make_incident(
        pattern,
        title="Deepfake video call defrauds a firm",
        summary="Staff paid out after a call with deepfaked executives.",
    )
    robocall = make_incident(
        pattern,
        title="Cloned voice robocall tells voters to stay home",
        summary="Calls in a politician's cloned voice before a primary.",
        narrative="A consultant paid for the calls.",
    )
    hidden = make_incident(
        pattern,
        title="Unreviewed cloned voice story",
        summary="Not yet public.",
        state=State.DRAFT,
    )
    unrelated = make_incident(pattern, title="Chatbot leaks its rules")
    voice = make_term(
        term="Voice Cloning",
        summary="Speech in a real person's voice from a short sample.",
        definition="Generated from recordings of the person.",
    )
    deepfake = make_term(
        term="Deepfake",
        summary="Synthetic media of a real person.",
        definition="Video, images or audio made to look real.",
    )
    deepfake.related_incidents.add(direct, robocall, hidden)
    deepfake.related_terms.add(voice)
    deepfake.related_patterns.add(pattern)
    deepfake.related_domains.add(domain)
    return {
        "robocall": robocall,
        "voice": voice,
        "pattern": pattern,
        "domain": domain,
        "unrelated": unrelated,
    }


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


@pytest.mark.parametrize("backend", ["postgres", "simple"])
@pytest.mark.parametrize("query", ["deepfake", "Deepfakes"])
def test_a_term_search_finds_what_the_term_is_tied_to(
    tied, monkeypatch, backend, query
):
    monkeypatch.setattr(search, "backend_for", lambda vendor: backend)
    found = titles(search.search(query))
    assert "Cloned voice robocall tells voters to stay home" in found
    assert "Voice Cloning" in found
    assert "Identity hijacking" in found
    assert "Information integrity" in found
    assert "Unreviewed cloned voice story" not in found
    assert "Chatbot leaks its rules" not in found
    # entries whose own words match come first
    assert found.index("Deepfake") < found.index("Voice Cloning")
    assert found.index("Deepfake video call defrauds a firm") < found.index(
        "Cloned voice robocall tells voters to stay home"
    )


def test_the_counts_include_the_ties(tied):
    results = search.search("deepfake")
    assert results.counts == {"term": 2, "incident": 2, "pattern": 1, "domain": 1}


def test_words_that_name_no_term_find_no_ties(tied):
    assert "Cloned voice robocall tells voters to stay home" not in titles(
        search.search("video call")
    )


def test_the_search_page_shows_tied_entries_with_the_same_query_count(
    client, tied, django_assert_num_queries
):
    # one union of counts, one query per kind with hits (all four), the snippets
    with django_assert_num_queries(6):
        html = client.get("/search/?q=deepfake").content.decode()
    assert tied["robocall"].get_absolute_url() in html
    assert tied["voice"].get_absolute_url() in html
    for n in range(10):
        incident = make_incident(tied["pattern"], title=f"Another tied case {n}")
        incident.terms.add(*incident.terms.model.objects.filter(term="Deepfake"))
    with django_assert_num_queries(6):
        client.get("/search/?q=deepfake")


def test_the_sqlite_quick_start_finds_the_robocall_and_voice_cloning(tmp_path):
    """The demo data on a real SQLite file, as `make run` serves it."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quick.sqlite3'}",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--no-input", "-v", "0")
    manage("load_demo")
    found = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from overview.search import search; r = search('deepfake'); "
        "print(r.mode); [print(h.kind.key, h.title) for h in r.hits]",
    ).splitlines()
    assert found[0] == "simple"
    assert "term Voice Cloning" in found
    assert any(
        line.startswith("incident AI clone of President Biden's voice")
        for line in found
    )
