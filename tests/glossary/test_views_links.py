"""Term pages: automatic links, citations, old slugs, glossary index input."""

import json
import re

import pytest

from editorial import services
from editorial.models import State
from glossary.links import Linker, linker_for
from glossary.models import Term
from glossary.words import words_in
from tests.factories import make_incident, make_pattern, make_term, make_user

pytestmark = pytest.mark.django_db


def definition_html(client, term) -> str:
    html = client.get(term.get_absolute_url()).content.decode()
    return html.split("<h2>Definition</h2>")[1].split("</section>")[0]


def test_mentions_of_published_entries_become_links(client):
    incident = make_incident(date_occurred="2023-05-01", code="INC-23-0042")
    pattern = make_pattern(title="Memory Poisoning", slug="memory-poisoning")
    make_term(term="Jailbreak", slug="jailbreak")
    term = make_term(
        definition="Seen in INC-23-0042, a case of memory poisoning; compare Jailbreak."
    )
    html = definition_html(client, term)
    assert f'href="{incident.get_absolute_url()}"' in html
    assert f'href="{pattern.get_absolute_url()}"' in html
    assert 'href="/glossary/jailbreak/"' in html
    assert ">memory poisoning</a>" in html  # the reader's own wording is kept


def test_unpublished_entries_stay_plain_text(client):
    make_incident(code="INC-23-0043", date_occurred="2023", state=State.DRAFT)
    make_pattern(title="Secret Pattern", state=State.DRAFT)
    make_term(term="Unreleased", state=State.ARCHIVED)
    term = make_term(definition="INC-23-0043 and Secret Pattern and Unreleased.")
    html = definition_html(client, term)
    assert "<a" not in html
    assert "INC-23-0043 and Secret Pattern and Unreleased." in html


def test_a_term_never_links_to_itself(client):
    term = make_term(term="Deepfake", definition="A deepfake is synthetic media.")
    assert "<a" not in definition_html(client, term)


def test_no_links_inside_existing_links_or_code(client):
    make_term(term="Jailbreak", slug="jailbreak")
    term = make_term(
        definition="[read about Jailbreak](https://example.org) and `Jailbreak`."
    )
    html = definition_html(client, term)
    assert "/glossary/jailbreak/" not in html
    assert html.count("<a ") == 1


def test_only_the_first_mention_is_linked_and_the_longest_name_wins(client):
    make_term(term="Prompt Injection", slug="prompt-injection")
    make_term(term="Injection", slug="injection")
    term = make_term(
        definition="Prompt injection, then prompt injection again, then injection."
    )
    html = definition_html(client, term)
    assert html.count('href="/glossary/prompt-injection/"') == 1
    assert html.count('href="/glossary/injection/"') == 1


def test_names_with_markup_characters_are_matched_and_escaped(client):
    make_pattern(title="Tool Misuse & Privilege Escalation", slug="tool-misuse")
    term = make_term(definition="An example of tool misuse & privilege escalation.")
    html = definition_html(client, term)
    assert 'href="/patterns/tool-misuse/"' in html
    assert 'title="Tool Misuse &amp; Privilege Escalation"' in html


def test_linker_escapes_what_it_inserts():
    linker = Linker()
    linker.add("Evil", '/x/"><script>', 'a "title"')
    html = linker.compile().link("<p>Evil</p>")
    assert "<script>" not in html
    assert 'href="/x/&quot;&gt;&lt;script&gt;"' in html


def test_hostile_markdown_stays_sanitised_with_links(client):
    make_term(term="Jailbreak")
    term = make_term(definition="<script>alert(1)</script> Jailbreak <img src=x>")
    html = definition_html(client, term)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_term_page_query_count_with_links_is_fixed(client, django_assert_num_queries):
    make_incident(code="INC-23-0050", date_occurred="2023")
    term = make_term(definition="See INC-23-0050.")
    # term, 4 prefetches, then incidents, patterns and terms of the linker
    with django_assert_num_queries(8):
        client.get(term.get_absolute_url())
    for n in range(5):
        make_pattern(title=f"Linked pattern {n}")
        make_term(term=f"Linked term {n}")
        term.related_terms.add(make_term())
    with django_assert_num_queries(8):
        client.get(term.get_absolute_url())


def test_term_citation_bibtex_and_defined_term_json_ld(client, settings):
    settings.SITE_URL = "https://threatwatch.example"
    term = make_term(term="Model Inversion", slug="model-inversion")
    html = client.get(term.get_absolute_url()).content.decode()
    blocks = [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', html, re.S
        )
    ]
    defined, crumbs = blocks
    assert defined["@type"] == "DefinedTerm"
    assert defined["inDefinedTermSet"]["@type"] == "DefinedTermSet"
    assert defined["url"] == "https://threatwatch.example/glossary/model-inversion/"
    assert crumbs["@type"] == "BreadcrumbList"
    assert "Cite this page" in html
    assert f"updated {term.last_updated:%Y-%m-%d}" in html
    response = client.get(term.get_absolute_url() + "?format=bibtex")
    assert response["Content-Type"] == "text/x-bibtex"
    bib = response.content.decode()
    assert bib.startswith("@misc{threatwatch:Model-Inversion,")
    assert "url = {https://threatwatch.example/glossary/model-inversion/}" in bib


def test_old_term_slug_redirects_permanently(client):
    make_term(slug="old-name")
    term = Term.objects.get(slug="old-name")
    term.slug = "new-name"
    term.save()
    response = client.get("/glossary/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/glossary/new-name/"
    assert client.get("/glossary/never-existed/").status_code == 404


def test_unknown_category_shows_every_term_with_a_message(client):
    make_term(term="Alpha")
    response = client.get("/glossary/?category=%3Cscript%3E")
    assert response.status_code == 200
    html = response.content.decode()
    assert "no such category" in html
    assert "Alpha" in html
    assert "<script>" not in html.split("</head>")[1]


def test_names_are_found_in_every_section_and_through_markup(client):
    make_term(term="Shadow AI", slug="shadow-ai")
    make_term(term="O'Brien's Law", slug="obriens-law")
    make_term(term="R&D Leak", slug="rd-leak")
    make_term(term="Never Mentioned", slug="never-mentioned")
    term = make_term(
        definition="Plain text.",
        why_it_occurs="Teams adopt **shadow AI** quickly\nNothing here",
        real_world_context="Cases cite o'brien's law and an r&d leak.",
    )
    html = client.get(term.get_absolute_url()).content.decode()
    assert 'href="/glossary/shadow-ai/"' in html
    assert 'href="/glossary/obriens-law/"' in html
    assert 'href="/glossary/rd-leak/"' in html
    assert "never-mentioned" not in html


def test_link_word_follows_the_name_through_the_life_cycle():
    author, reviewer = make_user(), make_user(role="Reviewer")
    term = make_term(term="Old Name")
    assert Term.objects.get(pk=term.pk).link_word == "old"

    def rename(entry):
        entry.term = "Fresh Name"
        entry.save()

    services.edit(term, by=author, apply=rename)
    assert Term.objects.get(pk=term.pk).link_word == "old"  # pending, not live
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    assert Term.objects.get(pk=term.pk).link_word == "fresh"


def test_a_page_loads_only_the_names_its_text_can_mention():
    for n in range(30):
        make_term(term=f"Unrelated {n}")
    make_term(term="Zebra Attack", slug="zebra-attack")
    make_term(term="Zebra", slug="zebra")
    term = make_term(term="Host")
    linker = linker_for(term, words_in("<p>A <em>zebra</em> attack</p>"), set())
    assert set(linker.targets) >= {"zebra attack", "zebra"}
    assert not any(name.startswith("unrelated") for name in linker.targets)
