"""Mentions of incidents, patterns and terms in rendered text, made into links.

The lookup of what may be linked is built once per page with a constant number
of queries (published entries only); linking works on sanitised HTML, never
inside an existing link or code, and escapes everything it inserts.
"""

import html
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape

from editorial.caching import content_version
from incidents.models import INCIDENT_CODE_RE, Incident, ThreatPattern

from .models import Term

_TAG = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"[\w&;#'-]+")
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
        # html.escape maps the same five characters as Django's escape(), without
        # its lazy-string wrapper: this runs for every name on the site.
        key = html.escape(name).lower()
        first = _WORD.match(key) if name else None
        if first and key not in self.targets:
            self.targets[key] = (url, title)
            self.by_first_word.setdefault(first.group(), []).append(key)

    def compile(self) -> "Linker":
        """Put the longest name first wherever several start with one word."""
        for keys in self.by_first_word.values():
            if len(keys) > 1:
                keys.sort(key=len, reverse=True)
        return self

    def for_page(
        self, extra: dict[str, tuple[str, str]], excluded: set[str]
    ) -> "Linker":
        """Return a linker with some targets added and some names left alone.

        The site's index is shared, not copied: only the lists of words that
        gain a name are replaced.
        """
        page = Linker(self.targets, self.by_first_word, frozenset(excluded))
        added = {k: v for k, v in extra.items() if k not in self.targets}
        if added:
            page.targets = {**self.targets, **added}
            page.by_first_word = dict(self.by_first_word)
            for key in added:
                word = _WORD.match(key).group()
                keys = [*page.by_first_word.get(word, ()), key]
                page.by_first_word[word] = sorted(keys, key=len, reverse=True)
        return page

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
        for word in _WORD.finditer(lower):
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


_site_index: dict[str, Linker] = {}
_SLUG = "slug-placeholder"


def _url_maker(sample: str):
    """Return a function making an entry's URL from its slug (reverse() once)."""
    before, after = sample.split(_SLUG)
    return lambda slug: f"{before}{slug}{after}"


def site_linker() -> Linker:
    """Return the linker of every published pattern and term name.

    Built once per content version in each process (2 queries), so a publish
    anywhere is reflected on the next request, on every server.
    """
    version = content_version() if settings.PUBLIC_PAGE_CACHE else None
    linker = _site_index.get(version) if version else None
    if linker is None:
        linker = Linker()
        pattern_url = _url_maker(ThreatPattern(slug=_SLUG).get_absolute_url())
        for slug, title in ThreatPattern.objects.published().values_list(
            "slug", "title"
        ):
            linker.add(title, pattern_url(slug), title)
        term_url = _url_maker(Term(slug=_SLUG).get_absolute_url())
        for slug, name in Term.objects.published().values_list("slug", "term"):
            linker.add(name, term_url(slug), name)
        linker.compile()
        _site_index.clear()
        if version:
            _site_index[version] = linker
    return linker


def linker_for(term: Term) -> Linker:
    """Return the linker of a term page, never linking the term to itself."""
    texts = (
        term.definition,
        term.relation_to_threats,
        term.why_it_occurs,
        term.real_world_context,
    )
    extra = {}
    codes = mentioned_codes(*texts)
    if codes:
        for code, slug, title in (
            Incident.objects.published()
            .filter(code__in=codes)
            .values_list("code", "slug", "title")
        ):
            url = Incident(code=code, slug=slug).get_absolute_url()
            extra[escape(code).lower()] = (url, f"{code} {title}")
    return site_linker().for_page(extra, {escape(term.term).lower()})
