"""What readers' tools see of a public entry: citation, BibTeX and JSON-LD."""

import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest, HttpResponse

from editorial.addresses import site_url

SITE = "Threatwatch"
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def absolute_url(path: str) -> str:
    """Return the public address of a path on this site."""
    return site_url(path)


@dataclass(frozen=True)
class Citation:
    """A ready citation of one entry, pointing at its permanent address."""

    kind: str
    title: str
    code: str
    updated: datetime.date | None
    url: str

    @property
    def key(self) -> str:
        ident = self.code or re.sub(r"[^A-Za-z0-9-]+", "-", self.title).strip("-")
        return f"threatwatch:{ident}"

    @property
    def full_title(self) -> str:
        return f"{self.title} ({self.code})" if self.code else self.title

    def text(self) -> str:
        """Return the citation as one line of plain text."""
        updated = f"updated {self.updated:%Y-%m-%d}. " if self.updated else ""
        return f"{SITE}. “{self.full_title}”. {self.kind}, {updated}{self.url}"

    def bibtex(self) -> str:
        """Return the citation as a BibTeX @misc entry."""
        fields = {
            "title": _bibtex_escape(self.full_title),
            "author": "{Threatwatch}",
            "howpublished": _bibtex_escape(f"{SITE}, {self.kind.lower()}"),
            "year": f"{self.updated:%Y}" if self.updated else "",
            "note": f"Updated {self.updated:%Y-%m-%d}" if self.updated else "",
            "url": self.url,
        }
        body = ",\n".join(
            f"  {name} = {{{value}}}" for name, value in fields.items() if value
        )
        return f"@misc{{{self.key},\n{body}\n}}\n"


def _bibtex_escape(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", value)


def cite(entry: models.Model, *, kind: str, title: str, permanent_path: str = ""):
    """Return the citation of a published entry."""
    return Citation(
        kind=kind,
        title=title,
        code=getattr(entry, "code", ""),
        updated=entry.last_updated,
        url=absolute_url(permanent_path or entry.get_absolute_url()),
    )


def bibtex_requested(request: HttpRequest) -> bool:
    return request.GET.get("format") == "bibtex"


def bibtex_response(citation: Citation) -> HttpResponse:
    """Return the citation as a downloadable .bib file."""
    response = HttpResponse(citation.bibtex(), content_type="text/x-bibtex")
    name = citation.key.split(":", 1)[1]
    response["Content-Disposition"] = f'inline; filename="{name}.bib"'
    return response


def article_data(entry: models.Model, *, headline: str, description: str) -> dict:
    """Return schema.org Article data for an incident, pattern or domain page."""
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": headline,
        "identifier": entry.code,
        "description": description,
        "url": absolute_url(entry.get_absolute_url()),
        "mainEntityOfPage": absolute_url(entry.get_absolute_url()),
        "datePublished": entry.first_published.date().isoformat()
        if entry.first_published
        else None,
        "dateModified": entry.last_updated.isoformat() if entry.last_updated else None,
        "publisher": {"@type": "Organization", "name": SITE},
        "isAccessibleForFree": True,
    }


def breadcrumb_data(trail: list[tuple[str, str]]) -> dict:
    """Return a schema.org BreadcrumbList from (name, path) pairs, home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }
