"""Export the knowledge base as one JSON document that `import_entries` reads.

The document joins the shapes of `/api/threats.json`, `/api/incidents.json`
and `/api/glossary.json`, with the vocabularies they refer to. A full export
(`everything=True`) adds drafts, each entry's `state`, and the content of a
pending change under `pending`.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Model, QuerySet

from editorial import services, snapshots
from editorial.models import EditorialEntry
from incidents.models import Incident, Organisation

from . import json_format as shapes
from .json_format import Data, Scope

CHUNK = 2000  # incidents shaped per query batch: memory stays flat on big sites


def _incident_shapes(scope: Scope) -> list[Data]:
    """Shape every incident in scope, a batch at a time, in code order."""
    keys = list(scope(Incident).order_by("code").values_list("pk", flat=True))
    shaped = []
    for start in range(0, len(keys), CHUNK):
        batch = shapes.incident_queryset(scope).filter(
            pk__in=keys[start : start + CHUNK]
        )
        shaped.extend(shapes.incident_data(i, scope) for i in batch)
    return shaped


def export(*, everything: bool = False) -> Data:
    """Return every published entry (and with `everything`, every entry)."""
    scope: Scope = shapes.everything if everything else shapes.public
    with transaction.atomic():
        domains = list(shapes.domain_queryset(scope))
        if everything:
            incidents = list(shapes.incident_queryset(scope))
            incident_data = [shapes.incident_data(i, scope) for i in incidents]
        else:
            incident_data = _incident_shapes(scope)
        terms = list(shapes.term_queryset(scope))
        patterns = [p for d in domains for p in d.patterns.all()]
        document = {
            "_meta": shapes.meta(
                totals={
                    "domains": len(domains),
                    "patterns": len(patterns),
                    "incidents": len(incident_data),
                    "terms": len(terms),
                },
                scope="everything" if everything else "published",
            ),
            "vocabularies": shapes.vocabularies_data(scope),
            "domains": [shapes.domain_data(d) for d in domains],
            "incidents": incident_data,
            "terms": [shapes.term_data(t) for t in terms],
        }
        if everything:
            _add_states(document, domains, incidents, terms)
    return document


def _add_states(document: Data, domains, incidents, terms) -> None:
    """Mark each entry's state and attach the content of its pending change."""
    for domain, data in zip(domains, document["domains"], strict=True):
        _annotate(data, domain, shapes.domain_queryset, shapes.domain_data)
        data.get("pending", {}).pop("sub_categories", None)
        for pattern, pattern_data in zip(
            domain.patterns.all(), data["sub_categories"], strict=True
        ):
            _annotate(
                pattern_data, pattern, shapes.pattern_queryset, shapes.pattern_data
            )
    for incident, data in zip(incidents, document["incidents"], strict=True):
        _annotate(
            data,
            incident,
            shapes.incident_queryset,
            lambda i: shapes.incident_data(i, shapes.everything),
        )
    for term, data in zip(terms, document["terms"], strict=True):
        _annotate(data, term, shapes.term_queryset, shapes.term_data)
    for key, model in {
        "organisations": Organisation,
        **shapes.DIMENSION_KEYS,
    }.items():
        values = {v.slug: v for v in model.objects.all()}
        for data in document["vocabularies"][key]:
            _annotate(
                data,
                values[data["slug"]],
                lambda scope, m=model: scope(m),
                shapes.organisation_data
                if model is Organisation
                else shapes.dimension_data,
            )


def _annotate(
    data: Data,
    entry: EditorialEntry,
    queryset: Callable[[Scope], QuerySet],
    shape: Callable[[Model], Data],
) -> None:
    data["state"] = entry.state
    change = services.open_change(entry)
    if change is None or not change.is_pending:
        return
    # Render the pending content the way previews do: apply it, read, roll back.
    savepoint = transaction.savepoint()
    try:
        snapshots.apply(entry, change.snapshot)
        pending = queryset(shapes.everything).get(pk=entry.pk)
        data["pending"] = shape(pending)
    finally:
        transaction.savepoint_rollback(savepoint)
        entry.refresh_from_db()
