"""Load the demo data set: vocabularies, taxonomy, incidents and glossary.

The data lives in JSON files under `demo/data/`; entries refer to each other by
code (domains, patterns, incidents, causal factors) or by slug (everything
else). Loading is idempotent: an entry whose code or slug already exists is
left as it is and counted as already present.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from reversion.models import Revision

from contributions import services as contributions
from contributions.models import Submission
from contributions.targets import entry_for_path
from editorial.models import EditorialEntry
from editorial.services import publish
from glossary.models import Category, Term
from incidents import models as tax

DATA_DIR = Path(__file__).resolve().parent / "data"
USERNAME = "demo-loader"
COMMENT = "First published"

Row = dict[str, Any]

MARKDOWN_FIELDS = {
    "description",
    "definition",
    "narrative",
    "relation_to_threats",
    "real_world_context",
}
ALIASES = {"type": "source_type"}  # data key -> model field

DIMENSIONS: dict[str, type[tax.Dimension]] = {
    "affected_groups": tax.AffectedGroup,
    "sectors": tax.Sector,
    "regions": tax.Region,
    "exposure_pathways": tax.ExposurePathway,
    "causal_factors": tax.CausalFactor,
    "assets": tax.Asset,
    "harm_types": tax.HarmType,
}


class DemoDataError(Exception):
    """The demo data is inconsistent or fails the models' validation."""


# How each kind is named in the summary, in the order it is printed.
KIND_NAMES = {
    tax.Domain: "domains",
    tax.ThreatPattern: "patterns",
    tax.Incident: "incidents",
    Term: "glossary terms",
    **{model: model._meta.verbose_name_plural for model in DIMENSIONS.values()},
    tax.Framework: "frameworks",
    Category: "term categories",
    tax.Organisation: "organisations",
    Submission: "reader submissions",
}


@dataclass
class Report:
    """What a load did: entries created per kind, and entries left alone."""

    created: Counter = field(default_factory=Counter)
    present: int = 0

    def summary(self) -> str:
        """Return a line such as "Created 8 domains, ...; 0 already present"."""
        made = ", ".join(
            f"{self.created[name]} {name}"
            for name in KIND_NAMES.values()
            if self.created[name]
        )
        return f"Created {made or 'nothing'}; {self.present} already present"


def read(kind: str) -> Any:
    """Return the data of `kind`: `<kind>.json`, or the rows of `<kind>-*.json`."""
    single = DATA_DIR / f"{kind}.json"
    if single.exists():
        return json.loads(single.read_text(encoding="utf-8"))
    rows: list[Row] = []
    for path in sorted(DATA_DIR.glob(f"{kind}-*.json")):
        rows.extend(json.loads(path.read_text(encoding="utf-8")))
    if not rows:
        raise DemoDataError(f"No data file for {kind} in {DATA_DIR}.")
    return rows


def text_value(name: str, value: Any) -> Any:
    """Join list values: markdown paragraphs with blank lines, items with newlines."""
    if not isinstance(value, list):
        return value
    return ("\n\n" if name in MARKDOWN_FIELDS else "\n").join(value)


def key_of(model: type[models.Model]) -> str:
    """Return the field other data refers to the model by: code, else slug."""
    names = {f.name for f in model._meta.fields}
    return "code" if "code" in names else "slug"


def check(obj: models.Model, key: str) -> None:
    """Run the model's validation, naming the entry if it fails."""
    exclude = [f.name for f in obj._meta.fields if not f.editable]
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        name = obj._meta.verbose_name
        raise DemoDataError(f"{name} {key}: {error}") from error


def loader_user() -> AbstractBaseUser:
    """Return the system user that signs the demo revisions, creating it."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


class Loader:
    """One run of the demo load: an index of existing entries and a report."""

    def __init__(self, user: AbstractBaseUser) -> None:
        self.user = user
        self.report = Report()
        self.known: dict[type[models.Model], dict[str, models.Model]] = {}

    def index(self, model: type[models.Model]) -> dict[str, models.Model]:
        """Return the model's entries by code (or slug), read once per run."""
        if model not in self.known:
            attr = key_of(model)
            self.known[model] = {getattr(o, attr): o for o in model.objects.all()}
        return self.known[model]

    def lookup(
        self, model: type[models.Model], keys: list[str], owner: str
    ) -> list[models.Model]:
        """Return the entries whose code (or slug) is each of `keys`, in order."""
        known = self.index(model)
        missing = [key for key in keys if key not in known]
        if missing:
            name = model._meta.verbose_name
            raise DemoDataError(f"{owner}: unknown {name} {', '.join(missing)}")
        return [known[key] for key in keys]

    def build(
        self, model: type[models.Model], row: Row, owner: str, **extra: Any
    ) -> models.Model:
        """Return an unsaved, validated instance from the row's fields.

        Keys naming editable concrete fields are copied (lists joined); keys
        naming foreign keys are looked up by code or slug; others are ignored.
        """
        values: dict[str, Any] = {}
        for data_key, value in row.items():
            name = ALIASES.get(data_key, data_key)
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not model_field.concrete or not model_field.editable:
                continue
            if model_field.many_to_many:
                continue
            if model_field.many_to_one:
                target = model_field.related_model
                (values[name],) = self.lookup(target, [value], owner)
            else:
                values[name] = text_value(name, value)
        obj = model(**values, **extra)
        check(obj, owner)
        return obj

    def create(
        self, model: type[models.Model], rows: list[Row]
    ) -> list[tuple[models.Model, Row]]:
        """Save each row whose code or slug is new; return (entry, row) pairs."""
        key, known, new = key_of(model), self.index(model), []
        for row in rows:
            if row[key] in known:
                self.report.present += 1
                continue
            entry = self.build(model, row, row[key])
            entry.save()
            known[row[key]] = entry
            self.report.created[KIND_NAMES[model]] += 1
            new.append((entry, row))
        return new

    def entries(self, model: type[EditorialEntry], rows: list[Row]) -> None:
        """Create the new entries, then their relations and rows, then publish.

        Every new entry exists before any relation is set, so entries may refer
        to each other; publishing comes last so each revision holds it all.
        """
        new = self.create(model, rows)
        for entry, row in new:
            owner = row[key_of(model)]
            self.relate(entry, row, owner)
            self.inline_rows(entry, row, owner)
        for entry, row in new:
            on = (
                datetime.date.fromisoformat(row["last_updated"])
                if row.get("last_updated")
                else None
            )
            revision = publish(entry, by=self.user, on=on, comment=COMMENT)
            # The demo's history: each entry was published on its own date (the
            # publication stamps first_published that day), so the changelog
            # reads as months of work, not one load.
            Revision.objects.filter(pk=revision.pk).update(
                date_created=entry.first_published
            )

    def relate(self, entry: models.Model, row: Row, owner: str) -> None:
        """Add the many-to-many relations the row names, by code or slug."""
        for model_field in entry._meta.many_to_many:
            if model_field.name in row:
                target = model_field.related_model
                related = self.lookup(target, row[model_field.name], owner)
                getattr(entry, model_field.name).add(*related)

    def inline_rows(self, entry: EditorialEntry, row: Row, owner: str) -> None:
        """Create framework mappings, or an incident's sources and entities."""
        for framework, text in row.get("frameworks", {}).items():
            mappings = entry.framework_mappings
            data = {"framework": framework, "label": text}
            owner_field = {mappings.field.name: entry}
            self.build(mappings.model, data, owner, **owner_field).save()
        if not isinstance(entry, tax.Incident):
            return
        inline = ((tax.IncidentSource, "sources"), (tax.IncidentEntity, "entities"))
        for model, kind in inline:
            for position, item in enumerate(row[kind], start=1):
                where = f"{owner} {kind} {position}"
                extra = {"incident": entry, "position": position}
                self.build(model, item, where, **extra).save()
        dangling = entry.dangling_footnotes(len(row["sources"]))
        if dangling:
            raise DemoDataError(
                f"incident {owner}: footnotes {dangling} cite no source"
            )


@transaction.atomic
def load_all() -> Report:
    """Load every demo entry in dependency order, in one transaction."""
    loader = Loader(loader_user())
    vocabularies = read("vocabularies")
    loader.create(tax.Framework, vocabularies["frameworks"])
    loader.create(Category, vocabularies["term_categories"])
    loader.entries(tax.Organisation, read("organisations"))
    for kind, model in DIMENSIONS.items():
        loader.entries(model, vocabularies[kind])
    loader.entries(tax.Domain, read("domains"))
    loader.entries(tax.ThreatPattern, read("patterns"))
    loader.entries(tax.Incident, read("incidents"))
    loader.entries(Term, read("terms"))
    load_submissions(loader.report)
    return loader.report


def load_submissions(report: Report) -> None:
    """Put a few readers' submissions in the triage queue, once."""
    for row in read("submissions"):
        row = dict(row)
        target = row.pop("target", None)
        if Submission.objects.filter(
            kind=row["kind"], description=row["description"]
        ).exists():
            report.present += 1
            continue
        if target is not None:
            row["target"] = entry_for_path(target)
            if row["target"] is None:
                raise DemoDataError(f"submissions: no published entry at {target}")
        contributions.receive(**row)
        report.created[KIND_NAMES[Submission]] += 1
