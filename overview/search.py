"""Search over every published entry: full text on PostgreSQL, simple elsewhere.

On PostgreSQL each searchable model stores a weighted `search_vector` (title and
code A, summary B, body C); results are ranked, snippets come from ts_headline
and are escaped before the highlights are put back. When nothing matches, titles
are compared by trigram similarity, which forgives typos. Any other database
(the SQLite quick start) gets a plain case-insensitive match.

The work per search is bounded, whatever the size of the knowledge base: counts
stop at COUNT_LIMIT, at most twice RANKED_PER_SOURCE matches of a kind are
ranked (see `_candidates`), and ts_headline runs for the hits a page shows only.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Greatest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from glossary.models import Term
from incidents.models import (
    SEARCH_CONFIG,
    CausalFactor,
    Domain,
    Incident,
    ThreatPattern,
)

MAX_QUERY_LENGTH = 200
RESULTS_PER_KIND = 50
COUNT_LIMIT = 1000  # more matches show as "1,000+"
RANKED_PER_SOURCE = 500
SIMILAR_PER_KIND = 10
SIMILARITY_THRESHOLD = 0.3
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_CODE = re.compile(
    r"^(INC-\d{2}-\d{4}|PAT-[A-Z]{3}-\d{3}|DOM-[A-Z]{3}|CAUSE-\d{3})$", re.IGNORECASE
)
_START, _STOP = "\x02", "\x03"
_HIGHLIGHT = re.compile(f"{_START}(.*?){_STOP}", re.DOTALL)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_NOISE = re.compile(r"\[\d{1,3}\]|[*_`#>]+")


@dataclass(frozen=True)
class Kind:
    """How one kind of entry is searched and shown."""

    key: str
    label: str
    model: type[Model]
    title: str
    summary: str
    body: tuple[str, ...]
    has_code: bool = True

    def published(self) -> QuerySet:
        queryset = self.model.objects.published()
        if self.model is Incident:
            queryset = queryset.select_related("primary_pattern__domain")
        return queryset


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "term",
            "Glossary terms",
            Term,
            "term",
            "summary",
            ("definition", "relation_to_threats", "real_world_context"),
            has_code=False,
        ),
        Kind("incident", "Incidents", Incident, "title", "summary", ("narrative",)),
        Kind(
            "pattern",
            "Threat patterns",
            ThreatPattern,
            "title",
            "tagline",
            ("definition",),
        ),
        Kind("domain", "Domains", Domain, "title", "tagline", ("definition",)),
    )
}


@dataclass
class Hit:
    kind: Kind
    entry: Model
    title: str
    snippet: SafeString
    score: float

    @property
    def code(self) -> str:
        return getattr(self.entry, "code", "") if self.kind.has_code else ""

    @property
    def url(self) -> str:
        return self.entry.get_absolute_url()


@dataclass
class Results:
    query: str
    kind: str = ""
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    mode: str = "none"  # fulltext, similar, simple or none
    messages: list[str] = field(default_factory=list)

    def count_label(self, key: str) -> str:
        """Return the number of matches of a kind as shown: "1,000+" past the cap."""
        count = self.counts.get(key, 0)
        return f"{COUNT_LIMIT:,}+" if count > COUNT_LIMIT else str(count)


def clean_query(raw: str) -> tuple[str, list[str]]:
    """Return the query as searched (control characters out, length capped)."""
    query = " ".join(_CONTROL.sub(" ", raw or "").split())
    messages = []
    if len(query) > MAX_QUERY_LENGTH:
        query = query[:MAX_QUERY_LENGTH].rstrip()
        messages.append(
            f"Your search was longer than {MAX_QUERY_LENGTH} characters; "
            "only the beginning was used."
        )
    return query, messages


def backend_for(vendor: str) -> str:
    """Return the search backend a database vendor supports."""
    return "postgres" if vendor == "postgresql" else "simple"


def entry_for_code(query: str) -> Model | None:
    """Return the published entry whose code is exactly the query, if any."""
    if not _CODE.match(query):
        return None
    code = query.upper()
    model = {
        "INC": Incident,
        "PAT": ThreatPattern,
        "DOM": Domain,
        "CAU": CausalFactor,
    }[code[:3]]
    return model.objects.published().filter(code=code).first()


def search(raw_query: str, kind: str = "", *, using: str = "default") -> Results:
    """Return the published entries matching the query, best first.

    Full-text hits come without snippets: `highlight()` the hits a page shows.
    """
    query, messages = clean_query(raw_query)
    if kind and kind not in KINDS:
        messages.append("There is no such type of entry; showing every type.")
        kind = ""
    results = Results(query=query, kind=kind, messages=messages)
    if not query:
        return results
    kinds = [KINDS[kind]] if kind else list(KINDS.values())
    if backend_for(connections[using].vendor) == "postgres":
        _full_text(results, kinds)
        if not results.hits:
            _similar(results, kinds, using=using)
    else:
        _simple(results, kinds)
    results.hits.sort(key=lambda hit: -hit.score)
    return results


def highlight(results: Results, hits: list[Hit]) -> None:
    """Fill in the snippets of full-text hits: the passages that match, marked.

    ts_headline reads an entry's whole text, so it runs for the hits a page
    shows only, in one query whatever their kinds.
    """
    if results.mode != "fulltext" or not hits:
        return
    query = _tsquery(results.query)
    shown: dict[Kind, list[int]] = {}
    for hit in hits:
        shown.setdefault(hit.kind, []).append(hit.entry.pk)
    passages = [
        kind.model.objects.published()
        .filter(pk__in=pks)
        .annotate(
            key=Value(kind.key, output_field=CharField()),
            headline=SearchHeadline(
                Concat(
                    F(kind.summary),
                    *(part for name in kind.body for part in (Value(" "), F(name))),
                    output_field=CharField(),
                ),
                query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .values_list("key", "pk", "headline")
        .order_by()
        for kind, pks in shown.items()
    ]
    headlines = {
        (key, pk): headline
        for key, pk, headline in passages[0].union(*passages[1:], all=True)
    }
    for hit in hits:
        hit.snippet = snippet(headlines.get((hit.kind.key, hit.entry.pk), ""))


def heading_vector(kind: Kind) -> SearchVector:
    """Return the unweighted vector of an entry's title and summary.

    A partial GIN index over this exact expression (published rows only) finds
    the entries whose heading matches without reading their stored vectors.
    """
    return SearchVector(kind.title, kind.summary, config=SEARCH_CONFIG)


class _BlindQuery(SearchQuery):
    """A search query the planner cannot look into: a scalar subquery.

    Seeing common words, the planner picks a sequential scan, not knowing that
    testing a row unpacks its stored vector (kilobytes, kept out of line);
    blind, it takes the GIN index, which reads no vector. The index also hands
    rows over in table order, so the first matches are the same on every
    search: a sequential scan may start mid-table (synchronize_seqscans).
    """

    template = "(SELECT %(function)s(%(expressions)s))"


# The relation from a glossary term to each kind: Term's many-to-many field.
_TIES = {
    Term: "related_terms",
    Incident: "related_incidents",
    ThreatPattern: "related_patterns",
    Domain: "related_domains",
}


def named_terms(text: str) -> QuerySet:
    """Return the ids of the published glossary terms the query names.

    "deepfake" and "deepfakes" both name the term Deepfake.
    """
    names = {text, _singular(text)}
    condition = Q.create([("term__iexact", name) for name in names], connector=Q.OR)
    return Term.objects.published().filter(condition).values("pk")


def tied_to_named_terms(kind: Kind, text: str) -> QuerySet:
    """Return the ids of published entries a term named by the query is tied to.

    A search for a glossary term also finds what the term is linked with (its
    related incidents, patterns, domains and terms, and the term itself), though
    their text may use other words: "deepfake" finds the voice-clone robocall.
    A subquery, so it adds no query; the ties of one term are a handful of rows.
    """
    relation = Term._meta.get_field(_TIES[kind.model])
    through = relation.remote_field.through
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    named = named_terms(text)
    ids = through.objects.filter(**{f"{source}__in": named}).values(target)
    tied = Q(pk__in=ids) | Q(pk__in=named) if kind.model is Term else Q(pk__in=ids)
    return kind.model.objects.published().filter(tied).values("pk")


def _tsquery(text: str) -> SearchQuery:
    return _BlindQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _full_text(results: Results, kinds: list[Kind]) -> None:
    query = _tsquery(results.query)
    # Counting stops past COUNT_LIMIT: an exact count reads every matching row.
    counted = [
        kind.model.objects.filter(
            pk__in=_matching(kind, query)
            .values("pk")[: COUNT_LIMIT + 1]
            .union(tied_to_named_terms(kind, results.query))
        )
        .annotate(kind=Value(kind.key, output_field=CharField()))
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
        .order_by()
        for kind in KINDS.values()
    ]
    results.counts = dict.fromkeys(KINDS, 0) | dict(
        counted[0].union(*counted[1:], all=True)
    )
    if not any(results.counts[kind.key] for kind in kinds):
        return
    results.mode = "fulltext"
    rank = SearchRank(F("search_vector"), query)
    for kind in kinds:
        if not results.counts[kind.key]:
            continue
        best = (
            kind.model.objects.filter(pk__in=_candidates(kind, results.query))
            .annotate(rank=rank)
            .order_by("-rank", kind.title, "pk")
            .values("pk")[:RESULTS_PER_KIND]
        )
        rows = (
            kind.published()
            .filter(pk__in=best)
            .defer("search_vector", *kind.body)
            .annotate(rank=rank)
            .order_by("-rank", kind.title, "pk")
        )
        results.hits += [
            Hit(kind, row, getattr(row, kind.title), SafeString(""), row.rank)
            for row in rows
        ]


def _matching(kind: Kind, query: SearchQuery) -> QuerySet:
    return kind.model.objects.published().filter(search_vector=query).order_by()


def _candidates(kind: Kind, text: str) -> QuerySet:
    """Return the ids of the matches worth ranking: all, or a bounded share.

    ts_rank reads a row's whole stored vector (kilobytes, stored out of line),
    so ranking tens of thousands of matches cannot be fast. The candidates are
    the first RANKED_PER_SOURCE matches in table order, and as many among the
    matches whose heading (title, summary) matches, where the best ranks are.
    When no more than RANKED_PER_SOURCE match, every match is ranked.
    """
    query = _tsquery(text)
    first = _matching(kind, query).values("pk")[:RANKED_PER_SOURCE]
    # The stored vector must match too (a word excluded with "-" may be in the
    # body). Called as a function, not as the @@ operator, the test cannot go
    # through the GIN index, so it runs on the few rows the heading index finds
    # instead of reading every match out of the GIN index a second time.
    stored_matches = Func(
        F("search_vector"), query, function="ts_match_vq", output_field=BooleanField()
    )
    in_heading = (
        kind.model.objects.published()
        .annotate(heading=heading_vector(kind))
        .filter(stored_matches, heading=query)
        .order_by()
        .values("pk")[:RANKED_PER_SOURCE]
    )
    return first.union(in_heading, tied_to_named_terms(kind, text))


def _has_words(query: str, *, using: str) -> bool:
    """Return whether the query keeps a word once stop words ("the") are out.

    A query of stop words only matches no text, and compared by similarity it
    would match most titles (and take seconds): it is not searched at all.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))",
            [SEARCH_CONFIG, query],
        )
        return cursor.fetchone()[0] > 0


def _similar(results: Results, kinds: list[Kind], *, using: str) -> None:
    """Find titles close to the query: typo-tolerant, uses the trigram indexes."""
    if not _has_words(results.query, using=using):
        results.messages.append(
            "Words as common as “the” or “with” are left out of searches; "
            "add a more specific word."
        )
        return
    for kind in kinds:
        title = kind.title
        rows = (
            kind.published()
            .filter(
                Q(**{f"{title}__trigram_similar": results.query})
                | Q(**{f"{title}__trigram_word_similar": results.query})
            )
            .annotate(
                whole=TrigramSimilarity(title, results.query),
                similarity=Greatest(
                    F("whole"), TrigramWordSimilarity(results.query, title)
                ),
            )
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-whole", title)[:SIMILAR_PER_KIND]
        )
        found = [
            Hit(kind, row, getattr(row, title), plain(row, kind), row.similarity)
            for row in rows
        ]
        results.counts[kind.key] = len(found)
        results.hits += found
    if results.hits:
        results.mode = "similar"


def _simple(results: Results, kinds: list[Kind]) -> None:
    """Match titles, codes and summaries by substring (databases without FTS)."""
    results.counts = dict.fromkeys(KINDS, 0)
    # "deepfakes" matches "deepfake" too: a plural's final s is left out.
    words = [_singular(word) for word in results.query.split()[:8]]
    for kind in KINDS.values():
        fields = [kind.title, kind.summary] + (["code"] if kind.has_code else [])
        condition = Q()
        for word in words:
            condition &= Q.create(
                [(f"{name}__icontains", word) for name in fields], connector=Q.OR
            )
        # Entries tied to a glossary term the query names come after the
        # entries whose own words match.
        matching = (
            kind.published()
            .filter(condition | Q(pk__in=tied_to_named_terms(kind, results.query)))
            .annotate(
                score=Case(
                    When(condition, then=Value(1.0)),
                    default=Value(0.5),
                    output_field=FloatField(),
                )
            )
        )
        if kind not in kinds:
            results.counts[kind.key] = matching.count()
            continue
        rows = list(matching.order_by("-score", kind.title)[:RESULTS_PER_KIND])
        results.counts[kind.key] = len(rows)
        results.hits += [
            Hit(kind, row, getattr(row, kind.title), plain(row, kind), row.score)
            for row in rows
        ]
    if results.hits:
        results.mode = "simple"


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.lower().endswith("s") else word


def snippet(headline: str) -> SafeString:
    """Return a ts_headline result as safe HTML: all escaped but the highlights."""
    text = _MARKDOWN_NOISE.sub("", _MARKDOWN_LINK.sub(r"\1", headline or ""))
    html = _HIGHLIGHT.sub(r"<mark>\1</mark>", str(escape(text)))
    return mark_safe(html.replace(_START, "").replace(_STOP, ""))  # noqa: S308


def plain(row: Model, kind: Kind) -> SafeString:
    return escape(getattr(row, kind.summary))
