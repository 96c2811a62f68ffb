"""Duplicate hints: published incidents that look like the one a reader reports.

The same ranking serves the public form (as the reader types) and triage. It
matches normalised source URLs, title similarity (pg_trgm on PostgreSQL, shared
words elsewhere), and the date and organisations given; each hint says why.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import connection
from django.db.models import Q

from incidents.models import Incident, IncidentSource

LIMIT = 5
TITLE_SIMILARITY = 0.3
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid)$")
WORD = re.compile(r"[a-z0-9]{4,}")


def normalise_url(url: str) -> str:
    """Return the URL as compared: no scheme, www., fragment, tracking or slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING.match(k.lower())
    ]
    tail = f"?{urlencode(sorted(query))}" if query else ""
    return f"{host}{path}{tail}"


@dataclass
class Hint:
    incident: Incident
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "code": self.incident.code,
            "title": self.incident.title,
            "url": self.incident.get_absolute_url(),
            "date_occurred": self.incident.date_occurred,
            "reasons": self.reasons,
        }


def _by_url(urls: list[str]) -> dict[int, str]:
    """Return {incident id: matching normalised URL} for published incidents."""
    wanted = {normalise_url(url): url for url in urls if urlsplit(url).hostname}
    found: dict[int, str] = {}
    if not wanted:
        return found
    condition = Q()
    for normal in wanted:
        # The host and path, without the query, narrow the candidates (a trigram
        # index on source URLs serves this on PostgreSQL); the exact comparison
        # of normalised forms happens below.
        condition |= Q(url__icontains=normal.split("?")[0])
    sources = IncidentSource.objects.filter(
        condition, incident__in=Incident.objects.published()
    ).values_list("incident_id", "url")[:200]
    for incident_id, url in sources:
        normal = normalise_url(url)
        if normal in wanted:
            found.setdefault(incident_id, normal)
    return found


def _by_title(title: str) -> dict[int, float]:
    title = title.strip()
    if len(title) < 4:
        return {}
    published = Incident.objects.published()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        rows = (
            published.filter(title__trigram_similar=title)
            .annotate(similarity=TrigramSimilarity("title", title))
            .filter(similarity__gte=TITLE_SIMILARITY)
            .order_by("-similarity")
            .values_list("pk", "similarity")[:20]
        )
        return dict(rows)
    # Plain fallback (SQLite): share of the title's longer words in common.
    words = set(WORD.findall(title.lower()))
    if not words:
        return {}
    condition = Q()
    for word in list(words)[:8]:
        condition |= Q(title__icontains=word)
    found = {}
    for pk, other in published.filter(condition).values_list("pk", "title")[:200]:
        theirs = set(WORD.findall(other.lower()))
        score = len(words & theirs) / len(words | theirs) if theirs else 0
        if score >= TITLE_SIMILARITY:
            found[pk] = score
    return found


def _by_organisation(names: list[str]) -> dict[int, list[str]]:
    names = [name.strip() for name in names if name.strip()][:10]
    if not names:
        return {}
    condition = Q()
    for name in names:
        condition |= Q(entities__organisation__name__iexact=name)
    found: dict[int, list[str]] = {}
    rows = (
        Incident.objects.published()
        .filter(condition)
        .values_list("pk", "entities__organisation__name")
        .distinct()[:200]
    )
    wanted = {name.lower() for name in names}
    for pk, name in rows:
        if name and name.lower() in wanted:
            found.setdefault(pk, []).append(name)
    return found


def _date_overlap(mine: str, theirs: str) -> str:
    """Return the common part of two partial dates ("2023-03"), or ""."""
    if not mine or not theirs:
        return ""
    common = min(len(mine), len(theirs))
    return mine[:common] if mine[:common] == theirs[:common] else ""


def find(
    *,
    urls: list[str] = (),
    title: str = "",
    occurred: str = "",
    organisations: list[str] = (),
    exclude: Incident | None = None,
    limit: int = LIMIT,
) -> list[Hint]:
    """Return published incidents that may be the same one, best first, with why."""
    hints: dict[int, Hint] = {}

    def hint(pk: int) -> Hint:
        return hints.setdefault(pk, Hint(incident=None))

    for pk, normal in _by_url(list(urls)[:20]).items():
        hint(pk).score += 1.0
        hint(pk).reasons.append(f"cites the same source ({normal})")
    for pk, similarity in _by_title(title).items():
        hint(pk).score += 0.6 * similarity
        hint(pk).reasons.append(f"similar title ({round(similarity * 100)}% alike)")
    by_organisation = _by_organisation(list(organisations))
    candidates = set(hints) | set(by_organisation)
    if exclude is not None:
        candidates.discard(exclude.pk)
    incidents = Incident.objects.published().in_bulk(candidates)
    ranked = []
    for pk, incident in incidents.items():
        entry = hint(pk)
        entry.incident = incident
        names = by_organisation.get(pk, [])
        same_date = _date_overlap(occurred, incident.date_occurred)
        if names:
            entry.score += 0.2
            entry.reasons.append(f"same organisation ({', '.join(sorted(names))})")
        if same_date:
            entry.score += 0.05 * len(same_date.split("-"))
            entry.reasons.append(f"same date ({same_date})")
        # An organisation or a date alone is too common to be a hint; both are.
        if entry.reasons[: len(entry.reasons) - bool(names) - bool(same_date)] or (
            names and same_date
        ):
            ranked.append(entry)
    ranked.sort(key=lambda h: (-h.score, h.incident.code))
    return ranked[:limit]


def for_submission(submission) -> list[Hint]:
    return find(
        urls=submission.urls(),
        title=submission.title,
        occurred=submission.occurred,
        organisations=submission.organisation_names(),
    )
