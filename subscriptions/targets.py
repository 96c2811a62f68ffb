"""What a reader can follow, and which follows a published change concerns.

A target is a short key: "new_incidents", "weekly", or "<app.model>:<pk>" for one
entry. Following another kind of page is one line in FOLLOWABLE, plus a line in
`concerned_keys` if changes elsewhere should reach its followers.
"""

from django.apps import apps
from django.db.models import Model

NEW_INCIDENTS = "new_incidents"
WEEKLY = "weekly"
SITE_WIDE = {
    NEW_INCIDENTS: "all new incidents",
    WEEKLY: "the weekly briefing",
}

#: Models whose public pages carry a Follow button (app_label.model_name).
FOLLOWABLE = (
    "incidents.incident",
    "incidents.threatpattern",
    "incidents.domain",
    "glossary.term",
    "incidents.sector",
    "incidents.affectedgroup",
    "incidents.exposurepathway",
    "incidents.causalfactor",
    "incidents.harmtype",
    "incidents.asset",
    "incidents.region",
    "incidents.organisation",
)


def key_for(entry: Model) -> str:
    return f"{entry._meta.label_lower}:{entry.pk}"


def published_entry(key: str):
    """Return the published entry a target key names, or None."""
    label, _, pk = key.partition(":")
    if label not in FOLLOWABLE or not pk.isdigit():
        return None
    model = apps.get_model(label)
    manager = model.objects
    queryset = manager.published() if hasattr(manager, "published") else manager.all()
    return queryset.filter(pk=int(pk)).first()


def is_valid(key: str) -> bool:
    return key in SITE_WIDE or published_entry(key) is not None


def describe(key: str, entry=None) -> str:
    """How the target reads in a sentence: 'all new incidents', 'INC-24-0001 …'."""
    if key in SITE_WIDE:
        return SITE_WIDE[key]
    entry = entry if entry is not None else published_entry(key)
    return str(entry) if entry is not None else "an entry no longer published"


def concerned_keys(entry: Model, *, first: bool) -> set[str]:
    """The targets whose followers hear of this published change of `entry`."""
    keys = {key_for(entry)}
    label = entry._meta.label_lower
    if label == "incidents.incident":
        if first:
            keys.add(NEW_INCIDENTS)
        patterns = [entry.primary_pattern, *entry.secondary_patterns.all()]
        for pattern in patterns:
            if pattern is not None:
                keys.add(key_for(pattern))
                keys.add(f"incidents.domain:{pattern.domain_id}")
        from incidents.models import DIMENSIONS

        for model in DIMENSIONS.values():
            for pk in getattr(entry, model.incident_field).values_list("pk", flat=True):
                keys.add(f"{model._meta.label_lower}:{pk}")
        for pk in entry.entities.values_list("organisation_id", flat=True):
            keys.add(f"incidents.organisation:{pk}")
    elif label == "incidents.threatpattern":
        keys.add(f"incidents.domain:{entry.domain_id}")
    return keys
