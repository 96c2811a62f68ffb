"""Similar incidents: up to five published incidents like one, each with its reasons.

Candidates come from two narrow lookups, each bounded whatever the size of the
knowledge base: the most recent incidents of the same primary pattern and the
most recent incidents naming one of the same organisations. They then score by
what they share: the pattern, organisations, sectors and a similar title
(pg_trgm's similarity on PostgreSQL, shared words on SQLite); the best five are
shown.

Editors have the last word: incidents pinned on an entry come first, hidden ones
never appear. Pins and hides are fields of the incident (`pinned_similar`,
`hidden_similar`), so they are recorded in its revisions and reviewed like any
other change.
"""

import re
from dataclasses import dataclass, field

from django.db import connections

from editorial import cache_tags
from editorial.models import State

from .models import Incident, IncidentEntity, Organisation

SHOWN = 5
PER_SOURCE = 40  # candidates read from each lookup
TITLE_SIMILARITY = 0.3
WORD = re.compile(r"[a-z0-9]{4,}")

#: What a suggestion shows: its link (code, slug) and title.
LISTED_FIELDS = ("pk", "code", "slug", "title", "state")

SCORES = {"pattern": 3.0, "organisation": 2.0, "sector": 1.0, "title": 4.0}


@dataclass
class Suggestion:
    incident: Incident
    reasons: list[str] = field(default_factory=list)
    pinned: bool = False


@dataclass
class _Candidate:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def similar_incidents(incident: Incident, limit: int = SHOWN) -> list[Suggestion]:
    """Return up to `limit` published incidents like `incident` (at most 7 queries).

    Reads `pinned_similar`, `hidden_similar`, `entities` and `sectors` through
    the incident, so prefetching them (as the incident page does) saves queries.
    """
    pinned = [
        other
        for other in incident.pinned_similar.all()
        if other.state == State.PUBLISHED and other.pk != incident.pk
    ][:limit]
    suggestions = [
        Suggestion(other, ["chosen by the editors"], pinned=True) for other in pinned
    ]
    wanted = limit - len(suggestions)
    if wanted <= 0:
        return suggestions
    excluded = {incident.pk, *(o.pk for o in pinned)}
    excluded |= {o.pk for o in incident.hidden_similar.all()}
    candidates: dict[int, _Candidate] = {}

    def add(pk: int, kind: str, reason: str, weight: float = 1.0) -> None:
        if pk in excluded:
            return
        candidate = candidates.setdefault(pk, _Candidate())
        candidate.score += SCORES[kind] * weight
        if reason not in candidate.reasons:
            candidate.reasons.append(reason)

    published = Incident.objects.published()
    pattern = incident.primary_pattern
    same_pattern = (
        published.filter(primary_pattern_id=incident.primary_pattern_id)
        .exclude(pk=incident.pk)
        .order_by("-occurred_year")
        .values_list("pk", flat=True)[:PER_SOURCE]
    )
    public_pattern = pattern.is_published and pattern.domain.is_published
    reason = f"same pattern: {pattern.title}" if public_pattern else "same pattern"
    for pk in same_pattern:
        add(pk, "pattern", reason)

    organisations = {
        entity.organisation_id: entity.organisation.name
        for entity in incident.entities.all()
        if entity.organisation.state == State.PUBLISHED
    }
    if organisations:
        # The parties of these organisations, tagged by hand: this list changes
        # exactly when one of their lists of incidents does (not with every
        # incident of the knowledge base, as the read alone would say).
        with cache_tags.collecting():
            shared = list(
                IncidentEntity.objects.filter(
                    organisation_id__in=list(organisations),
                    incident__state=State.PUBLISHED,
                )
                .exclude(incident_id=incident.pk)
                .order_by("-incident_id")
                .values_list("incident_id", "organisation_id")[: PER_SOURCE * 2]
            )
        cache_tags.collect(
            *(cache_tags.links_tag(Organisation, pk) for pk in organisations)
        )
        for pk, organisation_id in shared:
            add(
                pk,
                "organisation",
                f"also names {organisations[organisation_id]}",
            )

    for pk, similarity in _similar_titles(incident, list(candidates)):
        add(pk, "title", "similar title", weight=similarity)

    sectors = {sector.pk: sector.name for sector in incident.sectors.all()}
    if sectors and candidates:
        overlap = Incident.sectors.through.objects.filter(
            incident_id__in=list(candidates), sector_id__in=list(sectors)
        ).values_list("incident_id", "sector_id")
        for pk, sector_id in overlap:
            add(pk, "sector", f"same sector: {sectors[sector_id]}")

    ranked = sorted(candidates.items(), key=lambda item: (-item[1].score, -item[0]))
    chosen = [pk for pk, _ in ranked[:wanted]]
    if not chosen:
        return suggestions
    rows = published.only(*LISTED_FIELDS).in_bulk(chosen)
    for pk in chosen:
        if pk in rows:
            suggestions.append(Suggestion(rows[pk], candidates[pk].reasons))
    return suggestions


def _similar_titles(
    incident: Incident, candidates: list[int]
) -> list[tuple[int, float]]:
    """Return (pk, similarity 0..1) of the candidates whose title is like its title.

    Only the candidates are compared: a trigram search over every title cost
    600 ms on the 100,000-incident corpus, comparing a hundred rows by primary
    key costs one millisecond.
    """
    title = incident.title.strip()
    if len(title) < 4 or not candidates:
        return []
    rows = Incident.objects.filter(pk__in=candidates)
    if connections[rows.db].vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            rows.annotate(similarity=TrigramSimilarity("title", title))
            .filter(similarity__gte=TITLE_SIMILARITY)
            .values_list("pk", "similarity")
        )
    # SQLite (the quick start): the share of the title's longer words in common.
    words = set(WORD.findall(title.lower()))
    found = []
    for pk, other in rows.values_list("pk", "title"):
        theirs = set(WORD.findall(other.lower()))
        score = len(words & theirs) / len(words | theirs) if words and theirs else 0
        if score >= TITLE_SIMILARITY:
            found.append((pk, score))
    return found
