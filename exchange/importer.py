"""Import entries: check everything, then write all of it through the services.

An import runs in one transaction. Every item is checked first (types, model
validation, references); any problem rolls everything back and every problem is
reported with its file and line. New entries become drafts (or are published
with `publish=True`, dated by their own `last_updated`); an entry that already
exists is changed through `services.edit`, so a published one gets a pending
change for review, never a silent overwrite. Related entries are matched by
code, slug or name without regard to case; what cannot be matched is reported
and left out.
"""

import copy
import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from editorial import services
from editorial.models import AuditEvent, EditorialEntry
from glossary.models import Category, Term
from incidents.models import (
    AffectedGroup,
    Domain,
    DomainFramework,
    Framework,
    Incident,
    IncidentEntity,
    IncidentSource,
    Organisation,
    PatternFramework,
    Sector,
    ThreatPattern,
)

from .json_format import DIMENSION_KEYS
from .sources import KINDS, LABELS, Item, Problem, duplicates

SYSTEM_USER = "importer"
DEFAULT_CATEGORY = "Uncategorised"
PROGRESS_EVERY = 100

MODELS: dict[str, type[models.Model]] = {
    "frameworks": Framework,
    "organisations": Organisation,
    "term_categories": Category,
    **DIMENSION_KEYS,
    "domain": Domain,
    "pattern": ThreatPattern,
    "incident": Incident,
    "term": Term,
}

# JSON key -> model field, for text values; LINES are lists joined by newlines.
TEXT = {
    "frameworks": {"slug": "slug", "name": "name", "url": "url"},
    "organisations": {
        "slug": "slug",
        "name": "name",
        "description": "description",
        "website": "website",
    },
    "term_categories": {"slug": "slug", "name": "name", "description": "description"},
    "domain": {
        "domain_code": "code",
        "title": "title",
        "short_title": "short_title",
        "slug": "slug",
        "tagline": "tagline",
        "definition": "definition",
    },
    "pattern": {
        "pattern_code": "code",
        "title": "title",
        "slug": "slug",
        "tagline": "tagline",
        "definition": "definition",
        "severity": "severity",
        "likelihood": "likelihood",
    },
    "incident": {
        "id": "code",
        "title": "title",
        "slug": "slug",
        "summary": "summary",
        "narrative": "narrative",
        "status": "status",
        "severity": "severity",
        "evidence_level": "evidence_level",
        "impact_level": "impact_level",
        "resolution": "resolution",
        "date_occurred": "date_occurred",
    },
    "term": {
        "term": "term",
        "slug": "slug",
        "summary": "summary",
        "definition": "definition",
        "relation_to_threats": "relation_to_threats",
        "real_world_context": "real_world_context",
    },
}
for _key, _model in DIMENSION_KEYS.items():
    _names = {f.name for f in _model._meta.fields}
    TEXT[_key] = {
        name: name
        for name in (
            "slug",
            "name",
            "description",
            "code",
            "category",
            "lifecycle_stage",
        )
        if name in _names
    }
LINES = {
    "organisations": {"aliases": "aliases"},
    "domain": {"why_distinct": "why_distinct"},
    "pattern": {"why_it_exists": "why_it_exists"},
    "incident": {"key_facts": "key_facts"},
    "term": {"why_it_occurs": "why_it_occurs", "same_as": "same_as"},
}
OUTCOMES = {
    "financial_loss": "financial_loss",
    "regulatory_action": "regulatory_action",
    "other": "other_outcome",
}
# JSON key -> (many-to-many field, related model).
RELATIONS = {
    "pattern": {
        "related_patterns": ("related_patterns", ThreatPattern),
        "roles_affected": ("affected_groups", AffectedGroup),
        "sectors_affected": ("sectors", Sector),
    },
    "incident": {
        **{key: (key, model) for key, model in DIMENSION_KEYS.items()},
        "similar_pinned": ("pinned_similar", Incident),
        "similar_hidden": ("hidden_similar", Incident),
    },
    "term": {
        "related_incidents": ("related_incidents", Incident),
        "related_patterns": ("related_patterns", ThreatPattern),
        "related_domains": ("related_domains", Domain),
        "related_terms": ("related_terms", Term),
    },
}
NAME_FIELD = {Term: "term", Domain: "title", ThreatPattern: "title", Incident: "title"}
REF_KEYS = ("pattern", "id", "code", "pattern_code", "domain_code", "slug", "name")
REF_KEYS += ("title", "term")


class ImportFailed(Exception):
    """The import was refused; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool = False
    actions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [
            f"{self.counts[name]} {label}"
            for name, label in (
                ("published", "created and published"),
                ("draft", "created as drafts"),
                ("pending", "pending changes for review"),
                ("updated", "drafts updated"),
                ("unchanged", "unchanged"),
                ("vocabulary", "vocabulary values added"),
            )
            if self.counts[name]
        ]
        verb = "Would import" if self.dry_run else "Imported"
        text = f"{verb}: {', '.join(parts) or 'nothing'}"
        if self.warnings:
            text += f"; {len(self.warnings)} warning(s)"
        return text + (". Dry run: nothing was written." if self.dry_run else ".")


class _DryRun(Exception):
    pass


def system_user():
    """Return the user that signs imports when no user is named, creating it."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USER, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def run(
    items: list[Item],
    *,
    read_problems: list[Problem] = (),
    user=None,
    publish: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Import the items all together, or raise ImportFailed and write nothing.

    `read_problems` (files that could not be read) fail the import too, but the
    readable items are still checked so that every problem is reported at once.
    """
    repeated = duplicates(items)
    problems = [*read_problems, *repeated]
    skipped = {(p.path, p.line) for p in repeated}
    items = [i for i in items if i.pending or (i.path, i.line) not in skipped]
    report = Report(dry_run=dry_run)
    try:
        with transaction.atomic():
            importer = Importer(
                user=user or system_user(),
                publish=publish,
                report=report,
                progress=progress or (lambda message: None),
            )
            importer.run(items)
            if problems or importer.problems:
                raise ImportFailed([*problems, *importer.problems])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


@dataclass
class Staged:
    """A checked item: what to write to its entry's row, relations and rows."""

    item: Item
    entry: models.Model
    values: dict[str, Any]
    relations: dict[str, list] = field(default_factory=dict)
    rows: dict[str, list[dict]] | None = None
    new: bool = True


class Importer:
    def __init__(self, *, user, publish: bool, report: Report, progress) -> None:
        self.user = user
        self.publish = publish
        self.report = report
        self.progress = progress
        self.problems: list[Problem] = []
        self._failed = False

    # -- reporting ---------------------------------------------------------------

    def problem(self, item: Item, key: str | None, message: str) -> None:
        self._failed = True
        self.problems.append(
            Problem(
                item.path, item.at(key), f"{LABELS[item.kind]} {item.key}: {message}"
            )
        )

    def warn(self, item: Item, key: str | None, message: str) -> None:
        self.report.warnings.append(
            f"{item.where(key)}: {LABELS[item.kind]} {item.key}: {message}"
        )

    def act(self, item: Item, message: str) -> None:
        self.report.actions.append(f"{message} ({item.where()})")

    # -- the run -----------------------------------------------------------------

    def run(self, items: list[Item]) -> None:
        order = {kind: n for n, kind in enumerate(KINDS)}
        ordered = sorted(
            (i for i in items if not i.pending), key=lambda i: order[i.kind]
        )
        staged: list[Staged] = []
        total = len(items)
        for count, item in enumerate(ordered, start=1):
            result = self.stage(item)
            if result is not None:
                staged.append(result)
            if count % PROGRESS_EVERY == 0:
                self.progress(f"Checked {count} of {total} entries")
        for result in staged:
            result.relations = self.relations(result.item, result.entry)
        if self.problems:
            return
        for count, result in enumerate(staged, start=1):
            self.write(result)
            if count % PROGRESS_EVERY == 0:
                self.progress(f"Wrote {count} of {len(staged)} entries")
        for item in (i for i in items if i.pending):
            result = self.stage(item)
            if result is None:
                continue
            if result.new:
                self.problem(item, None, "a pending change needs its entry in the file")
                continue
            result.relations = self.relations(item, result.entry)
            self.write(result)

    def stage(self, item: Item) -> Staged | None:
        """Check one item and, if it is new and sound, save its row."""
        self._failed = False
        model = MODELS[item.kind]
        values = self.values(item)
        existing = self.find(item, model, values)
        if existing is None:
            entry = model()
            name_key = self._name_key(item)
            if "slug" not in values and name_key and name_key in item.data:
                values["slug"] = slugify(str(item.data[name_key]))[:120]
        else:
            entry = copy.copy(existing)
        for name, value in values.items():
            setattr(entry, name, value)
        self.require(item, entry, existing is None)
        rows = self.rows(item, entry, existing)
        self.validate(item, entry)
        if self._failed:
            return None
        if item.kind in ("frameworks", "term_categories"):
            self.vocabulary(item, entry, existing, values)
            return None
        if existing is None:
            entry.save()
            return Staged(item, entry, values, rows=rows)
        return Staged(item, existing, values, rows=rows, new=False)

    # -- reading values ----------------------------------------------------------

    def values(self, item: Item) -> dict[str, Any]:
        data, kind, values = item.data, item.kind, {}
        for key, name in TEXT.get(kind, {}).items():
            if key in data:
                value = "" if data[key] is None else data[key]
                if not isinstance(value, str):
                    self.problem(item, key, f"{key!r} must be text.")
                    continue
                values[name] = value
        for key, name in LINES.get(kind, {}).items():
            if key in data:
                value = data[key] or []
                if isinstance(value, str):
                    value = value.splitlines()
                if not isinstance(value, list) or not all(
                    isinstance(v, str) for v in value
                ):
                    self.problem(item, key, f"{key!r} must be a list of lines.")
                    continue
                values[name] = "\n".join(v.strip() for v in value if v.strip())
        if kind == "incident" and "outcomes" in data:
            outcomes = data["outcomes"] or {}
            if not isinstance(outcomes, dict):
                self.problem(item, "outcomes", "'outcomes' must be an object.")
            else:
                for key, name in OUTCOMES.items():
                    if key in outcomes:
                        values[name] = outcomes[key] or ""
        if kind == "pattern" and data.get("domain"):
            domain = self.resolve(Domain, data["domain"])
            if domain is None:
                self.problem(item, "domain", f"unknown domain {data['domain']!r}.")
            else:
                values["domain"] = domain
        if kind == "incident" and "threat_patterns" in data:
            primary = self._primary(item)
            if primary is not None:
                values["primary_pattern"] = primary
        if kind == "term":
            name = data.get("category") or DEFAULT_CATEGORY
            category = self.resolve(Category, name)
            if category is None and isinstance(name, str):
                category = Category.objects.create(name=name, slug=slugify(name))
                self.act(item, f"created term category {name!r}")
            if category is not None:
                values["category"] = category
        self.last_updated(item)
        return values

    def _primary(self, item: Item) -> ThreatPattern | None:
        patterns = item.data["threat_patterns"]
        if not isinstance(patterns, dict):
            self.problem(
                item, "threat_patterns", "'threat_patterns' must be an object."
            )
            return None
        ref = patterns.get("primary")
        if not ref:
            self.problem(item, "threat_patterns", "no primary threat pattern given.")
            return None
        pattern = self.resolve(ThreatPattern, ref)
        if pattern is None:
            self.problem(item, "threat_patterns", f"unknown primary pattern {ref!r}.")
        return pattern

    def last_updated(self, item: Item) -> datetime.date | None:
        value = item.data.get("last_updated")
        if value in (None, ""):
            return None
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.problem(
                item,
                "last_updated",
                f"malformed date {value!r} for last_updated: use YYYY-MM-DD.",
            )
            return None

    def _name_key(self, item: Item) -> str | None:
        model = MODELS[item.kind]
        field_name = NAME_FIELD.get(model, "name")
        reverse = {v: k for k, v in TEXT[item.kind].items()}
        return reverse.get(field_name)

    # -- matching ----------------------------------------------------------------

    def find(self, item: Item, model, values: dict) -> models.Model | None:
        """Return the existing entry this item is about, if any."""
        names = {f.name for f in model._meta.fields}
        if model is Incident:
            code = values.get("code")
            return Incident.objects.filter(code=code).first() if code else None
        match = Q()
        for name in ("code", "slug"):
            if values.get(name) and name in names:
                match |= Q(**{name: values[name]})
        name_field = NAME_FIELD.get(model, "name")
        if model in (Term, Category, Framework, Organisation) or (
            model in DIMENSION_KEYS.values()
        ):
            if values.get(name_field):
                match |= Q(**{f"{name_field}__iexact": values[name_field]})
                match |= Q(slug=slugify(values[name_field]))
        if not match:
            return None
        return model.objects.filter(match).order_by("pk").first()

    def resolve(self, model, ref) -> models.Model | None:
        """Return the entry a reference names by code, slug or name (any case)."""
        if isinstance(ref, dict):
            candidates = [ref[k] for k in REF_KEYS if isinstance(ref.get(k), str)]
        elif isinstance(ref, str):
            candidates = [ref]
        else:
            return None
        names = {f.name for f in model._meta.fields}
        for candidate in candidates:
            candidate = candidate.strip()
            if not candidate:
                continue
            for name in ("code", "slug", NAME_FIELD.get(model, "name")):
                if name in names:
                    found = (
                        model.objects.filter(**{f"{name}__iexact": candidate})
                        .order_by("pk")
                        .first()
                    )
                    if found is not None:
                        return found
        return None

    def relations(self, item: Item, entry) -> dict[str, list]:
        """Resolve the item's many-to-many references; report what is unknown."""
        found: dict[str, list] = {}
        specs = dict(RELATIONS.get(item.kind, {}))
        data = dict(item.data)
        if item.kind == "incident" and isinstance(data.get("threat_patterns"), dict):
            data["secondary_patterns"] = data["threat_patterns"].get("secondary", [])
            if "secondary" in data["threat_patterns"]:
                specs["secondary_patterns"] = ("secondary_patterns", ThreatPattern)
        for key, (name, model) in specs.items():
            if key not in data:
                continue
            refs = data[key] or []
            if not isinstance(refs, list):
                self.problem(item, key, f"{key!r} must be a list.")
                continue
            targets = []
            for n, ref in enumerate(refs):
                target = self.resolve(model, ref)
                if target is None:
                    label = model._meta.verbose_name
                    self.warn(
                        item, f"{key}.{n}", f"unknown {label} {_show(ref)} left out."
                    )
                elif target.pk != entry.pk or model is not type(entry):
                    targets.append(target)
            found[name] = targets
        return found

    # -- checking ----------------------------------------------------------------

    def require(self, item: Item, entry, new: bool) -> None:
        if not new:
            return
        needs = {
            ThreatPattern: ("domain", "domain"),
            Incident: ("primary_pattern", "threat_patterns"),
            Term: ("category", "category"),
        }.get(type(entry))
        if needs and getattr(entry, f"{needs[0]}_id") is None and not self._failed:
            self.problem(item, needs[1], f"{needs[1]!r} is required.")

    def validate(self, item: Item, entry) -> None:
        # A missing reference was reported already; check everything else.
        exclude = [
            f.name
            for f in entry._meta.fields
            if not f.editable or (f.many_to_one and getattr(entry, f.attname) is None)
        ]
        try:
            entry.full_clean(exclude=exclude)
        except ValidationError as error:
            reverse = {v: k for k, v in TEXT.get(item.kind, {}).items()}
            reverse.update({v: k for k, v in LINES.get(item.kind, {}).items()})
            for name, messages in error.message_dict.items():
                key = reverse.get(name, name)
                for message in messages:
                    if name == NON_FIELD_ERRORS:
                        self.problem(item, None, message)
                    else:
                        self.problem(item, key, f"{key}: {message}")

    def rows(self, item: Item, entry, existing) -> dict[str, list[dict]] | None:
        """Check the rows an entry owns: framework labels, sources, parties."""
        data, rows = item.data, {}
        if "framework_mapping" in data and item.kind in ("domain", "pattern"):
            mapping = data["framework_mapping"] or {}
            if not isinstance(mapping, dict):
                self.problem(
                    item, "framework_mapping", "must map frameworks to labels."
                )
            else:
                rows["framework_mappings"] = []
                for ref, label in mapping.items():
                    framework = self.resolve(Framework, ref)
                    if framework is None:
                        self.warn(item, None, f"unknown framework {ref!r} left out.")
                    elif not isinstance(label, str) or not label.strip():
                        self.problem(item, None, f"framework {ref!r}: label is empty.")
                    else:
                        rows["framework_mappings"].append(
                            {"framework": framework, "label": label}
                        )
        if item.kind != "incident":
            return rows or None
        if "sources" in data:
            rows["sources"] = self._sources(item, data["sources"])
        if "roles_involved" in data:
            rows["entities"] = self._entities(item, data["roles_involved"])
        if "sources" in rows:
            count = len(rows["sources"])
        else:
            count = existing.sources.count() if existing else 0
        dangling = entry.dangling_footnotes(count)
        if dangling and not self._failed:
            cited = ", ".join(f"[{n}]" for n in dangling)
            self.problem(
                item, "narrative", f"footnotes {cited} cite no source ({count} given)."
            )
        return rows or None

    def _sources(self, item: Item, sources) -> list[dict]:
        if not isinstance(sources, list):
            self.problem(item, "sources", "'sources' must be a list.")
            return []
        rows = []
        for position, source in enumerate(sources, start=1):
            if not isinstance(source, dict):
                self.problem(item, None, f"source {position}: expected an object.")
                continue
            row = {
                "position": position,
                "title": source.get("title") or "",
                "publisher": source.get("publisher") or "",
                "source_type": source.get("type") or "",
                "date": source.get("date") or "",
                "url": source.get("url") or "",
            }
            try:
                IncidentSource(**row).full_clean(exclude=["incident"])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    name = "type" if name == "source_type" else name
                    for message in messages:
                        self.problem(
                            item, None, f"source {position}: {name}: {message}"
                        )
            rows.append(row)
        return rows

    def _entities(self, item: Item, parties) -> list[dict]:
        if not isinstance(parties, list):
            self.problem(item, "roles_involved", "'roles_involved' must be a list.")
            return []
        rows = []
        for position, party in enumerate(parties, start=1):
            if not isinstance(party, dict) or not party.get("organisation"):
                self.problem(
                    item,
                    None,
                    f"roles_involved {position}: expected an object with "
                    "'organisation' and 'role'.",
                )
                continue
            name = str(party["organisation"])
            organisation = self.resolve(Organisation, name)
            if organisation is None:
                organisation = self._new_organisation(item, name)
            row = {
                "position": position,
                "organisation": organisation,
                "role": party.get("role") or "",
                "qualifier": party.get("qualifier") or "",
            }
            try:
                IncidentEntity(**row).full_clean(exclude=["incident"])
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    for message in messages:
                        self.problem(
                            item,
                            None,
                            f"roles_involved {position}: {field_name}: {message}",
                        )
            rows.append(row)
        return rows

    def _new_organisation(self, item: Item, name: str) -> Organisation:
        """Create an organisation a party names; published with --publish."""
        organisation = Organisation.objects.create(name=name, slug=slugify(name)[:200])
        comment = f"Named in {item.path}"
        if self.publish:
            services.publish(
                organisation,
                by=self.user,
                comment=comment,
                action=AuditEvent.Action.IMPORT,
            )
            self.act(item, f"created and published organisation {name!r}")
        else:
            services.save_draft(
                organisation,
                by=self.user,
                summary=comment,
                action=AuditEvent.Action.IMPORT,
            )
            self.act(item, f"created draft organisation {name!r}")
        return organisation

    # -- writing -----------------------------------------------------------------

    def vocabulary(self, item: Item, entry, existing, values) -> None:
        label = LABELS[item.kind]
        if existing is None:
            entry.save()
            self.report.counts["vocabulary"] += 1
            self.act(item, f"created {label} {entry.slug}")
        elif any(getattr(existing, k) != v for k, v in values.items()):
            self.warn(
                item,
                None,
                "already exists with other values; left as it is (edit it in the "
                "admin).",
            )

    def write(self, staged: Staged) -> None:
        item, entry = staged.item, staged.entry
        label = LABELS[item.kind]
        if staged.new:
            self.fill(entry, staged, new=True)
            wanted = str(item.data.get("state") or "published")
            if self.publish and wanted == "published":
                services.publish(
                    entry,
                    by=self.user,
                    on=self.last_updated(item),
                    comment=f"Imported from {item.path}",
                    action=AuditEvent.Action.IMPORT,
                )
                self.report.counts["published"] += 1
                self.act(item, f"created and published {label} {_name(entry)}")
            else:
                services.save_draft(
                    entry,
                    by=self.user,
                    summary=f"Imported from {item.path}",
                    action=AuditEvent.Action.IMPORT,
                )
                self.report.counts["draft"] += 1
                self.act(item, f"created draft {label} {_name(entry)}")
            return
        was_published = entry.is_published
        change = services.edit(
            entry,
            by=self.user,
            apply=lambda target: self.fill(target, staged, new=False),
            summary=f"Imported from {item.path}",
            action=AuditEvent.Action.IMPORT,
        )
        if change is None:
            self.report.counts["unchanged"] += 1
            self.act(item, f"unchanged: {label} {_name(entry)} already says this")
        elif was_published:
            self.report.counts["pending"] += 1
            self.act(
                item,
                f"pending change for review: {label} {_name(entry)} is published; "
                "the public page stays as it is until a reviewer approves",
            )
        else:
            self.report.counts["updated"] += 1
            self.act(item, f"updated draft {label} {_name(entry)}")

    def fill(self, entry, staged: Staged, *, new: bool) -> None:
        """Write the staged values, relations and owned rows onto `entry`."""
        if not new:
            for name, value in staged.values.items():
                setattr(entry, name, value)
            entry.save()
        for name, targets in staged.relations.items():
            # A new entry only adds links: a symmetric link another new entry
            # made to it must survive its own, possibly shorter, list.
            manager = getattr(entry, name)
            if new:
                manager.add(*targets)
            else:
                manager.set(targets)
        for name, rows in (staged.rows or {}).items():
            manager = getattr(entry, name)
            manager.all().delete()
            model = manager.model
            owner = {
                DomainFramework: "domain",
                PatternFramework: "pattern",
                IncidentSource: "incident",
                IncidentEntity: "incident",
            }[model]
            model.objects.bulk_create(model(**row, **{owner: entry}) for row in rows)


def _name(entry: EditorialEntry) -> str:
    return getattr(entry, "code", "") or getattr(entry, "slug", "") or str(entry)


def _show(ref) -> str:
    if isinstance(ref, dict):
        ref = next((ref[k] for k in REF_KEYS if isinstance(ref.get(k), str)), ref)
    return repr(ref)
