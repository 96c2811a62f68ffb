"""Mentions of incidents, patterns and terms in rendered text, made into links.

The lookup of what may be linked is built once per page with a constant number
of queries (published entries only); linking works on sanitised HTML, never
inside an existing link or code, and escapes everything it inserts.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape

from incidents.models import INCIDENT_CODE_RE, Incident, ThreatPattern

from .models import Term

_TAG = re.compile(r"(<[^>]*>)")
_CODE = re.compile(rf"\b{INCIDENT_CODE_RE}\b")
_OPAQUE = {"a", "code", "pre"}  # never link inside these


@dataclass
class Linker:
    """Known names (as they appear in escaped HTML) and where each one leads."""

    targets: dict[str, tuple[str, str]] = field(default_factory=dict)
    pattern: re.Pattern | None = None

    def add(self, name: str, url: str, title: str) -> None:
        key = escape(name).casefold()
        if name and key not in self.targets:
            self.targets[key] = (url, title)

    def compile(self) -> "Linker":
        names = sorted(self.targets, key=len, reverse=True)
        if names:
            alternatives = "|".join(re.escape(name) for name in names)
            self.pattern = re.compile(
                rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE
            )
        return self

    def link(self, html: str) -> str:
        """Return sanitised HTML with the first mention of each name linked."""
        if self.pattern is None:
            return html
        seen: set[str] = set()
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
        def replace(match: re.Match) -> str:
            key = match.group(1).casefold()
            target = self.targets.get(key)
            if target is None or key in seen:
                return match.group(0)
            seen.add(key)
            url, title = target
            return (
                f'<a class="auto-link" href="{escape(url)}" '
                f'title="{escape(title)}">{match.group(1)}</a>'
            )

        return self.pattern.sub(replace, text)


def mentioned_codes(*texts: str) -> set[str]:
    return {code for text in texts for code in _CODE.findall(text or "")}


def linker_for(term: Term) -> Linker:
    """Return the linker of a term page (3 queries), never linking the term itself."""
    linker = Linker()
    texts = (
        term.definition,
        term.relation_to_threats,
        term.why_it_occurs,
        term.real_world_context,
    )
    codes = mentioned_codes(*texts)
    if codes:
        for code, slug, title in (
            Incident.objects.published()
            .filter(code__in=codes)
            .values_list("code", "slug", "title")
        ):
            url = Incident(code=code, slug=slug).get_absolute_url()
            linker.add(code, url, f"{code} {title}")
    for slug, title in ThreatPattern.objects.published().values_list("slug", "title"):
        linker.add(title, ThreatPattern(slug=slug).get_absolute_url(), title)
    others = Term.objects.published().exclude(pk=term.pk).values_list("slug", "term")
    for slug, name in others:
        linker.add(name, Term(slug=slug).get_absolute_url(), name)
    return linker.compile()
