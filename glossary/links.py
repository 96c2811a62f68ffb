"""Mentions of incidents, patterns and terms in rendered text, made into links.

The lookup of what may be linked is built once per page with a constant number
of queries (published entries only); linking works on sanitised HTML, never
inside an existing link or code, and escapes everything it inserts.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from editorial.text import render_inline, render_markdown, split_lines
from incidents.models import INCIDENT_CODE_RE, Incident, ThreatPattern

from .models import Term
from .words import WORD, first_word, link_key, words_in

_TAG = re.compile(r"(<[^>]*>)")
_CODE = re.compile(rf"\b{INCIDENT_CODE_RE}\b")
_OPAQUE = {"a", "code", "pre"}  # never link inside these


@dataclass
class Linker:
    """Known names (as they appear in escaped HTML) and where each one leads.

    Names are found by looking up each word of the text among the names that
    start with it (longest first), so the cost grows with the text, not with
    the number of names. A page's linker can add a few targets of its own and
    exclude some (a term never links to itself) while sharing the site's index.
    """

    targets: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_first_word: dict[str, list[str]] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()

    def add(self, name: str, url: str, title: str) -> None:
        key, word = link_key(name), first_word(name)
        if word and key not in self.targets:
            self.targets[key] = (url, title)
            self.by_first_word.setdefault(word, []).append(key)

    def compile(self) -> "Linker":
        """Put the longest name first wherever several start with one word."""
        for keys in self.by_first_word.values():
            if len(keys) > 1:
                keys.sort(key=len, reverse=True)
        return self

    def link(self, html: str) -> str:
        """Return sanitised HTML with the first mention of each name linked."""
        if not self.targets:
            return html
        seen: set[str] = set(self.excluded)
        opaque_depth = 0
        pieces = []
        for piece in _TAG.split(html):
            if piece.startswith("<"):
                name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
                tag = name.group(1).lower() if name else ""
                if tag in _OPAQUE:
                    opaque_depth += -1 if piece.startswith("</") else 1
                pieces.append(piece)
            elif opaque_depth > 0 or not piece:
                pieces.append(piece)
            else:
                pieces.append(self._link_text(piece, seen))
        return "".join(pieces)

    def _link_text(self, text: str, seen: set[str]) -> str:
        lower = text.lower()
        if len(lower) != len(text):  # rare case-folding that changes lengths
            lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        out, position = [], 0
        for word in WORD.finditer(lower):
            start = word.start()
            if start < position or (start and _is_word_char(lower[start - 1])):
                continue
            for key in self.by_first_word.get(word.group(), ()):
                end = start + len(key)
                if not lower.startswith(key, start):
                    continue
                if end < len(lower) and _is_word_char(lower[end]):
                    continue
                if key not in seen:
                    seen.add(key)
                    url, title = self.targets[key]
                    out.append(text[position:start])
                    out.append(
                        f'<a class="auto-link" href="{escape(url)}" '
                        f'title="{escape(title)}">{text[start:end]}</a>'
                    )
                    position = end
                break
        out.append(text[position:])
        return "".join(out)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_-"


def mentioned_codes(*texts: str) -> set[str]:
    return {code for text in texts for code in _CODE.findall(text or "")}


_SLUG = "slug-placeholder"


def _url_maker(sample: str):
    """Return a function making an entry's URL from its slug (reverse() once)."""
    before, after = sample.split(_SLUG)
    return lambda slug: f"{before}{slug}{after}"


def linker_for(term: Term, words: set[str], codes: set[str]) -> Linker:
    """Return the linker of a term page, never linking the term to itself.

    It knows every published pattern, the published terms whose first word is
    among `words` (the words of the page's text; an index finds them, however
    large the glossary) and the incidents of `codes` (3 queries).
    """
    linker = Linker(excluded=frozenset({link_key(term.term)}))
    pattern_url = _url_maker(ThreatPattern(slug=_SLUG).get_absolute_url())
    for slug, title in ThreatPattern.objects.published().values_list("slug", "title"):
        linker.add(title, pattern_url(slug), title)
    term_url = _url_maker(Term(slug=_SLUG).get_absolute_url())
    names = Term.objects.published().filter(link_word__in=words).order_by("term")
    for slug, name in names.values_list("slug", "term"):
        linker.add(name, term_url(slug), name)
    if codes:
        for code, slug, title in (
            Incident.objects.published()
            .filter(code__in=codes)
            .values_list("code", "slug", "title")
        ):
            url = Incident(code=code, slug=slug).get_absolute_url()
            linker.add(code, url, f"{code} {title}")
    return linker.compile()


def linked_sections(term: Term) -> dict[str, SafeString | list[SafeString]]:
    """Return a term's text sections as sanitised HTML with mentions linked.

    Each section (each item of "why it occurs") links the first mention of a
    name once, as a reader meets it.
    """
    definition = render_markdown(term.definition)
    relation = render_markdown(term.relation_to_threats)
    reasons = [render_inline(item) for item in split_lines(term.why_it_occurs)]
    context = render_markdown(term.real_world_context)
    pieces = [definition, relation, *reasons, context]
    codes = mentioned_codes(
        term.definition,
        term.relation_to_threats,
        term.why_it_occurs,
        term.real_world_context,
    )
    linker = linker_for(term, words_in(*pieces), codes)

    def linked(html: str) -> SafeString:
        return mark_safe(linker.link(html))  # noqa: S308 - sanitised, inserts escaped

    return {
        "definition": linked(definition),
        "relation_to_threats": linked(relation),
        "why_it_occurs": [linked(reason) for reason in reasons],
        "real_world_context": linked(context),
    }


def link_preview(pieces: list[str], raw: str, object_id: int | None) -> list[str]:
    """Link a term's text as its page will (for the editor's live preview)."""
    term = Term.objects.filter(pk=object_id).first() if object_id else None
    linker = linker_for(term or Term(term=""), words_in(*pieces), mentioned_codes(raw))
    return [linker.link(piece) for piece in pieces]
