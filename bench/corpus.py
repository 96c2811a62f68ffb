"""A large synthetic knowledge base, written in bulk with COPY.

Everything is published, with the dates, search vectors and revision history
the services would have produced; see `history` for the shape of the history.
Distributions are skewed (Zipf-like): a few patterns, sectors, organisations
and recent years carry most of the incidents, as in real collections.
"""

import datetime
import operator
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from editorial import roles
from glossary.models import Category, Term
from glossary.words import first_word
from incidents import models as tax

from . import prose as words
from . import taxonomy
from .history import Entry, HistoryWriter, Owned, Step, lifecycle, schedule
from .tables import Ids, Table, Writer, ordered, ranks

UTC = datetime.UTC
ANCHOR = datetime.datetime(2026, 11, 1, tzinfo=UTC)  # "now" of the corpus
FIRST_EDIT = datetime.datetime(2019, 1, 1, tzinfo=UTC)
YEARS = range(1990, ANCHOR.year + 1)
MAX_PER_YEAR = 9999  # INC-YY-NNNN has four digits
CHUNK = 2000

DIMENSION_COUNTS = {  # field of Incident -> (model, fewest, most)
    "affected_groups": (tax.AffectedGroup, 1, 3),
    "sectors": (tax.Sector, 1, 3),
    "regions": (tax.Region, 1, 2),
    "exposure_pathways": (tax.ExposurePathway, 1, 2),
    "causal_factors": (tax.CausalFactor, 1, 4),
    "assets": (tax.Asset, 1, 3),
    "harm_types": (tax.HarmType, 1, 3),
}


class Picker:
    """Draw items with Zipf-like weights over a seeded shuffle of `items`."""

    def __init__(self, items: Sequence, rng: random.Random, skew: float = 1.0):
        self.items = list(items)
        if not self.items:
            raise ValueError("Nothing to pick from.")
        rng.shuffle(self.items)
        weights = [1 / (rank + 1) ** skew for rank in range(len(self.items))]
        self.cum = list(accumulate(weights))
        self.rng = rng

    def one(self):
        return self.rng.choices(self.items, cum_weights=self.cum)[0]

    def some(self, low: int, high: int) -> list:
        want = min(self.rng.randint(low, high), len(self.items))
        picked: dict = {}
        while len(picked) < want:
            item = self.rng.choices(self.items, cum_weights=self.cum)[0]
            picked[item] = None
        return list(picked)


class Weighted:
    """Draw one of a few values with fixed probabilities."""

    def __init__(self, table: dict[str, float]) -> None:
        self.values = list(table)
        self.cum = list(accumulate(table.values()))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


PRECISION = Weighted({"day": 0.6, "month": 0.3, "year": 0.1})
STATUS = Weighted({"confirmed": 0.6, "alleged": 0.3, "under_investigation": 0.1})
SEVERITY = Weighted({"critical": 0.1, "high": 0.3, "medium": 0.4, "low": 0.2})
EVIDENCE = Weighted({"primary": 0.35, "corroborated": 0.45, "single-source": 0.2})
RESOLUTION = Weighted({"open": 0.6, "resolved": 0.4})
IMPACTS = tuple(tax.Incident.Impact.values)
SOURCE_TYPES = tuple(tax.IncidentSource.Type.values)
ROLES = tuple((role.value, role.label) for role in tax.IncidentEntity.Role)
INCIDENT_EDITS = Weighted({"narrative": 0.6, "summary": 0.25, "key_facts": 0.15})
TERM_EDITS = Weighted(
    {
        "definition": 0.35,
        "relation_to_threats": 0.2,
        "real_world_context": 0.25,
        "summary": 0.1,
        "why_it_occurs": 0.1,
    }
)
PUBLISHER_HOSTS = {p: f"{slugify(p)}.example.org" for p in words.PUBLISHERS}


def year_plan(count: int, used: dict[int, int], rng: random.Random) -> list[int]:
    """Return `count` years, recent ones most frequent, no year past its codes."""
    room = {y: MAX_PER_YEAR - used.get(y, 0) for y in YEARS}
    if count > sum(room.values()):
        raise ValueError(f"At most {sum(room.values())} incidents fit the code scheme.")
    weights = {y: 1 / (ANCHOR.year - y + 1) ** 1.1 for y in YEARS}
    plan = dict.fromkeys(YEARS, 0)
    left = count
    while left:
        open_years = [y for y in YEARS if plan[y] < room[y]]
        total = sum(weights[y] for y in open_years)
        placed = 0
        for y in open_years:
            share = min(room[y] - plan[y], max(1, round(left * weights[y] / total)))
            share = min(share, left - placed)
            plan[y] += share
            placed += share
            if placed == left:
                break
        left -= placed
    years = [y for y, n in plan.items() for _ in range(n)]
    rng.shuffle(years)
    return years


@dataclass
class Totals:
    incidents: int = 0
    terms: int = 0
    revisions: int = 0
    heavy_term: str = ""


class Generator:
    def __init__(self, *, seed: int, revisions: int, log: Callable[[str], None]):
        self.rng = random.Random(seed)
        self.revisions = revisions
        self.log = log
        self.prose = words.Prose(self.rng)
        self.totals = Totals()
        self.started = time.monotonic()

    def phase(self, message: str) -> None:
        self.log(f"[{time.monotonic() - self.started:7.1f}s] {message}")

    # Set-up

    def prepare(self) -> None:
        raw = connection.cursor().cursor
        raw.execute("SET LOCAL synchronous_commit TO OFF")
        self.cursor = raw
        self.writer = Writer(raw)
        authors = taxonomy.staff("corpus-author", 6, roles.AUTHOR)
        reviewers = taxonomy.staff("corpus-reviewer", 3, roles.REVIEWER)
        reviewer = get_user_model().objects.get(pk=reviewers[0])
        taxonomy.ensure(self.rng, by=reviewer)
        self.history = HistoryWriter(raw, self.writer, authors, reviewers)
        self.patterns = list(
            tax.ThreatPattern.objects.published().values_list(
                "pk", "title", "domain_id"
            )
        )
        self.pattern_picker = Picker(self.patterns, self.rng)
        self.dimensions = {
            name: Picker(
                model.objects.published().values_list("pk", flat=True), self.rng
            )
            for name, (model, _, _) in DIMENSION_COUNTS.items()
        }
        self.rank = {
            tax.ThreatPattern: ranks(tax.ThreatPattern),
            tax.Domain: ranks(tax.Domain),
            **{model: ranks(model) for model, _, _ in DIMENSION_COUNTS.values()},
        }
        self.organisations = Picker(self._organisations(), self.rng)
        self.phase("taxonomy, users and organisations ready")

    def _organisations(self) -> list[tuple[int, str]]:
        existing = set(tax.Organisation.objects.values_list("name", flat=True))
        wanted = min(2000, max(50, self.incident_count // 50))
        extras = ("", " Group", " International", " Europe", " Asia", " Holdings")
        names: dict[str, None] = {}
        while len(names) < wanted:
            name = self.prose.org_name() + self.rng.choice(extras)
            if name not in existing:
                names[name] = None
        now = timezone.now()
        tax.Organisation.objects.bulk_create(
            tax.Organisation(
                name=name,
                slug=slugify(name)[:200],
                state="published",
                first_published=now,
                last_updated=now.date(),
            )
            for name in names
        )
        return list(tax.Organisation.objects.values_list("pk", "name"))

    # Incidents

    def incidents(self, count: int) -> None:
        tables = {
            model: Table(model)
            for model in (tax.Incident, tax.IncidentSource, tax.IncidentEntity)
        }
        ids = {model: Ids(self.cursor, model) for model in tables}
        used = dict(tax.IncidentCodeCounter.objects.values_list("year", "last_number"))
        numbers = dict(used)
        years = year_plan(count, used, self.rng)
        through = {
            name: _through(tax.Incident, name)
            for name in ("secondary_patterns", *DIMENSION_COUNTS)
        }
        first_id = None
        for start in range(0, count, CHUNK):
            for year in years[start : start + CHUNK]:
                numbers[year] = numbers.get(year, 0) + 1
                entry = self._incident(year, numbers[year], tables, ids)
                first_id = first_id or entry.values["id"]
                steps = self._steps(entry.values["date_occurred"], self.revisions)
                self.history.write(entry, steps, self.rng)
                self.writer.add_model(entry.table, entry.values)
                for owned in entry.owned:
                    self.writer.add_model(owned.table, owned.values)
                pk = entry.values["id"]
                for name, pks in entry.m2m.items():
                    db_table, columns = through[name]
                    for target in pks:
                        self.writer.add(db_table, columns, (pk, target))
            self.writer.flush()
            self.totals.incidents += min(CHUNK, count - start)
            if (start // CHUNK) % 10 == 9 or start + CHUNK >= count:
                self.phase(f"{self.totals.incidents} incidents written")
        for year, number in numbers.items():
            if number != used.get(year):
                tax.IncidentCodeCounter.objects.update_or_create(
                    year=year, defaults={"last_number": number}
                )
        self.incident_range = (first_id, ids[tax.Incident].next - 1)

    def _steps(self, date_occurred: str, count: int) -> list[Step]:
        occurred = datetime.datetime.fromisoformat(
            (date_occurred + "-01-01")[:10]
        ).replace(tzinfo=UTC)
        start = max(occurred, FIRST_EDIT)
        if start > ANCHOR - datetime.timedelta(days=30):
            start = ANCHOR - datetime.timedelta(days=30)
        return schedule(count, self.rng, start, ANCHOR)

    def _incident(self, year: int, number: int, tables, ids) -> Entry:
        rng, prose = self.rng, self.prose
        org_id, org_name = self.organisations.one()
        title = prose.incident_title(org_name)
        code = f"INC-{year % 100:02d}-{number:04d}"
        precision = PRECISION(rng)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        if year == ANCHOR.year:
            month = min(month, ANCHOR.month - 1 or 1)
        date_occurred = {
            "year": f"{year}",
            "month": f"{year}-{month:02d}",
            "day": f"{year}-{month:02d}-{day:02d}",
        }[precision]
        pattern = self.pattern_picker.one()
        secondary = [p for p in self.pattern_picker.some(0, 3) if p != pattern]
        source_count = rng.randint(2, 6)
        pk = ids[tax.Incident].take()
        values = {
            "id": pk,
            "code": code,
            "title": title,
            "slug": slugify(title)[:200].strip("-"),
            "summary": prose.sentence(),
            "narrative": prose.paragraphs(3, 5, footnotes=source_count),
            "key_facts": prose.lines(words.FACTS, 3, 5),
            "date_occurred": date_occurred,
            "date_precision": precision,
            "occurred_year": year,
            "status": STATUS(rng),
            "severity": SEVERITY(rng),
            "evidence_level": EVIDENCE(rng),
            "impact_level": rng.choice(IMPACTS),
            "resolution": RESOLUTION(rng),
            "primary_pattern_id": pattern[0],
            "financial_loss": rng.choice(words.FINANCIAL),
            "regulatory_action": rng.choice(words.REGULATORY),
            "other_outcome": "",
        }
        m2m = {
            "secondary_patterns": ordered(
                [p[0] for p in secondary], self.rank[tax.ThreatPattern]
            )
        }
        for name, (model, low, high) in DIMENSION_COUNTS.items():
            m2m[name] = ordered(self.dimensions[name].some(low, high), self.rank[model])
        owned = []
        for position in range(1, source_count + 1):
            publisher = rng.choice(words.PUBLISHERS)
            source = {
                "id": ids[tax.IncidentSource].take(),
                "incident_id": pk,
                "position": position,
                "title": prose.source_title(org_name)[:300],
                "publisher": publisher,
                "source_type": rng.choice(SOURCE_TYPES),
                "date": f"{min(year + rng.randint(0, 1), ANCHOR.year)}",
                "url": f"https://{PUBLISHER_HOSTS[publisher]}/{year}/"
                f"{code.lower()}-{position}",
            }
            owned.append(Owned(tables[tax.IncidentSource], source, source["title"]))
        entities = [(org_id, org_name)] + self.organisations.some(0, 3)
        for position, (organisation, name) in enumerate(dict(entities).items(), 1):
            role, label = ROLES[1] if position == 1 else rng.choice(ROLES)
            entity = {
                "id": ids[tax.IncidentEntity].take(),
                "incident_id": pk,
                "position": position,
                "organisation_id": organisation,
                "role": role,
                "qualifier": "",
            }
            owned.append(Owned(tables[tax.IncidentEntity], entity, f"{name} ({label})"))
        return Entry(
            table=tables[tax.Incident],
            values=values,
            m2m=m2m,
            owned=owned,
            repr=lambda v: f"{v['code']} {v['title']}",
            revise=self._revise_incident,
        )

    def _revise_incident(self, values: dict) -> tuple[dict, list[str]]:
        older = dict(values)
        field = INCIDENT_EDITS(self.rng)
        if field == "narrative":
            older["narrative"] = _replace_paragraph(
                self.rng, self.prose, values["narrative"]
            )
        elif field == "summary":
            older["summary"] = self.prose.sentence()
        else:
            older["key_facts"] = self.prose.lines(words.FACTS, 2, 5)
        return older, [field]

    # Terms

    def terms(self, count: int, heavy: int) -> None:
        table = Table(Term)
        ids = Ids(self.cursor, Term)
        taken_names = set(Term.objects.values_list("term", flat=True))
        taken_slugs = set(Term.objects.values_list("slug", flat=True))
        categories = Picker(Category.objects.values_list("pk", flat=True), self.rng)
        incidents = list(
            tax.Incident.objects.published().values_list("pk", "code").order_by("pk")
        )
        pattern_domain = {pk: domain for pk, _, domain in self.patterns}
        pattern_title = {pk: title for pk, title, _ in self.patterns}
        entries: list[tuple[Entry, list[Step]]] = []
        for n in range(count):
            name = self.prose.term_name()
            while name in taken_names or slugify(name) in taken_slugs:
                name = self.prose.term_name()
            taken_names.add(name)
            taken_slugs.add(slugify(name))
            patterns = [p[0] for p in self.pattern_picker.some(1, 4)]
            linked = self.rng.sample(
                incidents, min(len(incidents), 40 if n == 0 else _few(self.rng, 25))
            )
            values = self._term_values(ids.take(), name, categories.one(), patterns)
            values["relation_to_threats"] += _mentions(
                [pattern_title[p] for p in patterns], [code for _, code in linked[:3]]
            )
            m2m = {
                "related_incidents": {pk for pk, _ in linked},
                "related_patterns": set(patterns),
                "related_domains": {pattern_domain[p] for p in patterns},
                "related_terms": set(),
            }
            entry = Entry(
                table=table,
                values=values,
                m2m=m2m,
                repr=lambda v: v["term"],
                revise=self._revise_term,
            )
            revisions = heavy if n == 0 else self.revisions
            steps = schedule(revisions, self.rng, FIRST_EDIT, ANCHOR)
            entry.values.update(lifecycle(steps))
            entries.append((entry, steps))
        if entries:
            self.totals.heavy_term = entries[0][0].values["term"]
        hubs = Picker(range(len(entries)), self.rng)
        for i, (entry, _) in enumerate(entries):
            for j in hubs.some(1, 3):
                if j != i:
                    other = entries[j][0]
                    entry.m2m["related_terms"].add(other.values["id"])
                    other.m2m["related_terms"].add(entry.values["id"])
        through = {
            name: _through(Term, name)
            for name in ("related_incidents", "related_patterns", "related_domains")
        }
        related_terms = _through(Term, "related_terms")
        for entry, _ in entries:
            self.writer.add_model(table, entry.values)
            pk = entry.values["id"]
            for name, (db_table, columns) in through.items():
                for target in entry.m2m[name]:
                    self.writer.add(db_table, columns, (pk, target))
            for target in entry.m2m["related_terms"]:
                self.writer.add(*related_terms, (pk, target))
        self.writer.flush()
        self.phase(f"{count} terms written; recording their history")
        rank = {
            "related_incidents": ranks(tax.Incident),
            "related_patterns": self.rank[tax.ThreatPattern],
            "related_domains": self.rank[tax.Domain],
            "related_terms": ranks(Term),
        }
        for n, (entry, steps) in enumerate(entries, 1):
            entry.m2m = {
                name: ordered(pks, rank[name]) for name, pks in entry.m2m.items()
            }
            self.history.write(entry, steps, self.rng)
            if n % CHUNK == 0:
                self.writer.flush()
        self.writer.flush()
        self.totals.terms = count
        self.term_ids = [entry.values["id"] for entry, _ in entries]

    def _term_values(self, pk: int, name: str, category: int, patterns) -> dict:
        prose, rng = self.prose, self.rng
        slug = slugify(name)
        return {
            "id": pk,
            "term": name,
            "slug": slug,
            "link_word": first_word(name),
            "category_id": category,
            "summary": f"{name}: {prose.sentence()}"[:300],
            "definition": prose.paragraphs(2, 3),
            "relation_to_threats": prose.paragraphs(1, 2),
            "why_it_occurs": prose.lines(words.REASONS, 2, 4),
            "real_world_context": prose.paragraphs(1, 2),
            "same_as": "\n".join(
                f"https://encyclopedia.example.org/wiki/{slug}-{i}"
                for i in range(rng.randint(0, 2))
            ),
        }

    def _revise_term(self, values: dict) -> tuple[dict, list[str]]:
        older = dict(values)
        field = TERM_EDITS(self.rng)
        if field == "summary":
            older["summary"] = f"{values['term']}: {self.prose.sentence()}"[:300]
        elif field == "why_it_occurs":
            older["why_it_occurs"] = self.prose.lines(words.REASONS, 1, 4)
        else:
            older[field] = _replace_paragraph(self.rng, self.prose, values[field])
        return older, [field]

    # Finishing

    def search_vectors(self) -> None:
        low, high = self.incident_range
        refresh_search_vectors(
            tax.Incident._default_manager.filter(pk__gte=low, pk__lte=high)
        )
        refresh_search_vectors(Term._default_manager.filter(pk__in=self.term_ids))
        self.phase("search vectors computed")

    def analyze(self) -> None:
        for model in (tax.Incident, Term, tax.IncidentSource, tax.IncidentEntity):
            self.cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        self.cursor.execute("ANALYZE")
        self.phase("statistics updated")


REFRESH_METHODS = ("refresh_search_vectors", "refresh_search_vector")


def refresh_search_vectors(queryset: models.QuerySet) -> None:
    """Recompute `search_vector` for the rows of `queryset`.

    A queryset method that does it (if the search feature provides one) is
    preferred; otherwise the vector is built from the model's `search_weights`,
    exactly as `SearchableEntry.save()` does.
    """
    model = queryset.model
    for name in REFRESH_METHODS:
        method = getattr(queryset, name, None)
        if callable(method):
            method()
            return
    vector = reduce(
        operator.add,
        (
            SearchVector(name, weight=weight, config=tax.SEARCH_CONFIG)
            for weight, names in model.search_weights.items()
            for name in names
        ),
    )
    queryset.update(search_vector=vector)


def _through(model: type[models.Model], name: str) -> tuple[str, tuple[str, str]]:
    field = model._meta.get_field(name)
    return (
        field.remote_field.through._meta.db_table,
        (field.m2m_column_name(), field.m2m_reverse_name()),
    )


def _few(rng: random.Random, most: int) -> int:
    """Return a small count, usually 0-5, now and then up to `most`."""
    return min(most, int(rng.expovariate(1 / 4)))


def _replace_paragraph(rng: random.Random, prose: words.Prose, text: str) -> str:
    paragraphs = text.split("\n\n")
    i = rng.randrange(len(paragraphs))
    footnotes = [int(n) for n in _footnotes(paragraphs[i])]
    paragraphs[i] = prose.paragraph(rng.randint(3, 5), max(footnotes, default=0))
    return "\n\n".join(paragraphs)


def _footnotes(paragraph: str) -> list[str]:
    return re.findall(r"\[(\d+)\]", paragraph)


def _mentions(patterns: list[str], codes: list[str]) -> str:
    text = f"\n\nIt is closely tied to {' and '.join(patterns[:2])}."
    if codes:
        text += f" It was seen in {', '.join(codes)}."
    return text


def generate(
    *,
    terms: int,
    incidents: int,
    revisions: int = 2,
    heavy_revisions: int = 500,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> Totals:
    """Write the corpus in one transaction and return what was written."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The corpus generator needs PostgreSQL (it uses COPY).")
    generator = Generator(seed=seed, revisions=revisions, log=log)
    generator.incident_count = incidents
    with transaction.atomic():
        generator.prepare()
        generator.incidents(incidents)
        generator.terms(terms, heavy_revisions)
        generator.search_vectors()
        generator.analyze()
    generator.totals.revisions = generator.history.revisions
    generator.phase(
        f"done: {incidents} incidents, {terms} terms, "
        f"{generator.totals.revisions} revisions"
    )
    return generator.totals
