"""Files to import, read into items: one entry each, with where it came from.

Nothing here touches the database: a file that is too big, not UTF-8, not
valid JSON or of the wrong shape is refused with its line number, before any
entry is written.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from . import glossary_text, json_format

MAX_FILE_BYTES = 10 * 1024 * 1024
SUFFIXES = (".txt", ".json")
# An export nests about six levels deep; far deeper is not an entry, and would
# exhaust the parser's recursion instead of getting an answer.
MAX_DEPTH = 40
NUL_MESSAGE = "holds a NUL byte (\\0), which cannot be stored; remove it."

# The kinds of item, in the order they are imported: what others refer to first.
VOCABULARY_KINDS = ("frameworks", "term_categories")
KINDS = (
    *VOCABULARY_KINDS,
    "organisations",
    *json_format.DIMENSION_KEYS,
    "domain",
    "pattern",
    "incident",
    "term",
)
LIST_KEYS = {
    "domains": "domain",
    "patterns": "pattern",
    "incidents": "incident",
    "terms": "term",
}
LABELS = {
    "frameworks": "framework",
    "organisations": "organisation",
    "term_categories": "term category",
    **{
        key: str(model._meta.verbose_name)
        for key, model in json_format.DIMENSION_KEYS.items()
    },
    "domain": "domain",
    "pattern": "threat pattern",
    "incident": "incident",
    "term": "glossary term",
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else (f"{self.path}: {self.message}")
        )


@dataclass
class Item:
    """One entry to import, in its JSON shape."""

    kind: str
    data: dict
    path: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    pending: bool = False

    def at(self, key: str | None = None) -> int:
        """Return the line of a field or list item (text files know it).

        `key` is a field name, or `field.n` for the n-th item of a list field;
        without a known line, the entry's own line.
        """
        if not key:
            return self.line
        return self.lines.get(key) or self.lines.get(key.split(".")[0], self.line)

    @property
    def key(self) -> str:
        """Return the code or slug that names the entry, for reports."""
        data = self.data
        for name in ("domain_code", "pattern_code", "id", "code", "slug"):
            if isinstance(data.get(name), str) and data[name]:
                return data[name]
        for name in ("term", "name", "title"):
            if isinstance(data.get(name), str) and data[name]:
                return slugify(data[name])
        return "(no code)"

    def where(self, key: str | None = None) -> str:
        return f"{self.path}:{self.at(key)}"


def read_paths(paths: list[str]) -> tuple[list[Item], list[Problem]]:
    """Read files and folders (every *.txt and *.json in a folder)."""
    items: list[Item] = []
    problems: list[Problem] = []
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES
            )
            if not found:
                problems.append(Problem(name, 0, "No .txt or .json file in folder."))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(name, 0, "No such file or folder."))
    for path in files:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(too_big(str(path), size))
            continue
        found, trouble = read_source(str(path), path.read_bytes())
        items.extend(found)
        problems.extend(trouble)
    return items, problems


def too_big(name: str, size: int) -> Problem:
    return Problem(
        name,
        0,
        f"File is {size / 1024 / 1024:.1f} MB; the limit is "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files.",
    )


def read_source(name: str, raw: bytes) -> tuple[list[Item], list[Problem]]:
    """Read one file's bytes: glossary text (.txt) or JSON (.json)."""
    if len(raw) > MAX_FILE_BYTES:
        return [], [too_big(name, len(raw))]
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return [], [
            Problem(name, 0, "Only .txt (glossary text) and .json files are read.")
        ]
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return [], [
            Problem(
                name,
                line,
                f"Not UTF-8: byte 0x{raw[error.start]:02x} at column {column} "
                "cannot be read. Save the file as UTF-8.",
            )
        ]
    if "\x00" in source:
        line = source.count("\n", 0, source.index("\x00")) + 1
        return [], [Problem(name, line, f"The text {NUL_MESSAGE}")]
    if suffix == ".txt":
        parsed, trouble = glossary_text.parse(source)
        if trouble:
            return [], [Problem(name, t.line, t.message) for t in trouble]
        return [Item("term", parsed.data, name, 1, parsed.lines)], []
    deep = too_deep(source)
    if deep:
        return [], [
            Problem(
                name,
                deep,
                f"Nested more than {MAX_DEPTH} levels deep: not an entry this "
                "importer reads.",
            )
        ]
    try:
        document = json_format.loads(source)
    except json.JSONDecodeError as error:
        return [], [
            Problem(
                name,
                error.lineno,
                f"Not valid JSON: {error.msg} (column {error.colno}).",
            )
        ]
    except RecursionError:
        return [], [Problem(name, 1, "Nested too deeply to be read.")]
    nul = nul_bytes(name, document)
    if nul:
        return [], nul
    return json_items(name, document)


# A JSON string (no raw newlines in one), and the brackets outside strings.
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def too_deep(source: str) -> int | None:
    """Return the line where JSON nests deeper than MAX_DEPTH, or None."""
    if source.count("[") + source.count("{") <= MAX_DEPTH:
        return None
    # Strings become "": brackets inside them do not count; lines stay put.
    bare = _STRING.sub('""', source)
    depth = 0
    for match in _BRACKET.finditer(bare):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return bare.count("\n", 0, match.start()) + 1
        else:
            depth -= 1
    return None


def nul_bytes(name: str, document) -> list[Problem]:
    """Report every key and text value holding a NUL byte (\\u0000 in JSON)."""
    problems = []
    stack = [(document, None, 1)]
    while stack:
        value, key, line = stack.pop()
        line = getattr(value, "line", line)
        if isinstance(value, str):
            if "\x00" in value:
                label = f"{key!r}" if key is not None else "A value"
                problems.append(Problem(name, line, f"{label} {NUL_MESSAGE}"))
        elif isinstance(value, dict):
            for inner_key, inner in value.items():
                if "\x00" in inner_key:
                    shown = inner_key.replace("\x00", "\\0")
                    problems.append(Problem(name, line, f"Key {shown!r} {NUL_MESSAGE}"))
                stack.append((inner, inner_key, line))
        elif isinstance(value, list):
            stack.extend((inner, key, line) for inner in value)
    return sorted(problems, key=lambda p: p.line)


def _line(value, default: int = 1) -> int:
    return getattr(value, "line", default)


def entry_kind(obj: dict) -> str | None:
    """Return the kind of a single entry object, from its naming key."""
    if "domain_code" in obj:
        return "domain"
    if "pattern_code" in obj:
        return "pattern"
    if "term" in obj:
        return "term"
    if "id" in obj or "threat_patterns" in obj:
        return "incident"
    return None


def json_items(name: str, document) -> tuple[list[Item], list[Problem]]:
    """Return the items of a JSON document in the shapes of /api/*.json."""
    items: list[Item] = []
    problems: list[Problem] = []

    def add(kind: str, obj, where: str) -> None:
        if not isinstance(obj, dict):
            problems.append(
                Problem(name, _line(obj, 0), f"{where}: expected an object.")
            )
            return
        data = dict(obj)
        pending = data.pop("pending", None)
        items.append(Item(kind, data, name, _line(obj)))
        if kind == "domain":
            patterns = data.get("sub_categories", [])
            if not isinstance(patterns, list):
                problems.append(
                    Problem(name, _line(obj), "'sub_categories' must be a list.")
                )
                patterns = []
            for pattern in patterns:
                if isinstance(pattern, dict):
                    pattern.setdefault("domain", data.get("domain_code"))
                add("pattern", pattern, "sub_categories")
        if pending is not None:
            if not isinstance(pending, dict) or entry_kind(pending) != kind:
                problems.append(
                    Problem(name, _line(pending), f"'pending' must be a {kind}.")
                )
            else:
                items.append(Item(kind, dict(pending), name, _line(pending), {}, True))

    def add_list(kind: str, value, key: str, line: int) -> None:
        if not isinstance(value, list):
            problems.append(Problem(name, line, f"{key!r} must be a list."))
            return
        for obj in value:
            add(kind, obj, key)

    if isinstance(document, list):
        for obj in document:
            kind = entry_kind(obj) if isinstance(obj, dict) else None
            if kind is None:
                problems.append(
                    Problem(
                        name,
                        _line(obj, 0),
                        "Not an entry: expected an object with domain_code, "
                        "pattern_code, id (an incident) or term.",
                    )
                )
                continue
            add(kind, obj, "list")
        return items, problems
    if not isinstance(document, dict):
        return [], [Problem(name, 1, "Expected a JSON object or a list of entries.")]
    single = entry_kind(document)
    if single and not set(document) & {*LIST_KEYS, "vocabularies"}:
        add(single, document, "entry")
        return items, problems
    if not set(document) & {*LIST_KEYS, "vocabularies"}:
        hint = (
            " graph.json holds links only and cannot be imported."
            if "nodes" in document
            else ""
        )
        return [], [
            Problem(
                name,
                _line(document),
                "Not a Threatwatch document: expected 'domains', 'incidents', "
                "'terms' or 'vocabularies' (as in /api/*.json or an export), "
                f"or a list of entries.{hint}",
            )
        ]
    vocabularies = document.get("vocabularies", {})
    if not isinstance(vocabularies, dict):
        problems.append(
            Problem(name, _line(document), "'vocabularies' must be an object.")
        )
        vocabularies = {}
    for key, value in vocabularies.items():
        if key not in KINDS:
            problems.append(
                Problem(name, _line(vocabularies), f"Unknown vocabulary {key!r}.")
            )
            continue
        add_list(key, value, key, _line(vocabularies))
    for key, kind in LIST_KEYS.items():
        if key in document:
            add_list(kind, document[key], key, _line(document))
    return items, problems


def identity(item: Item) -> tuple[str, str] | None:
    """Return what makes an item unique in one import: its kind and code/slug."""
    data = item.data
    if item.kind == "term":
        value = data.get("slug") or slugify(str(data.get("term", "")))
    elif item.kind == "incident":
        value = data.get("id")
    else:
        names = ("domain_code", "pattern_code", "code", "slug")
        value = next((data[n] for n in names if data.get(n)), None)
    return (item.kind, str(value).lower()) if value else None


def duplicates(items: list[Item]) -> list[Problem]:
    """Report every entry given twice (the same code or slug) in one import."""
    seen: dict[tuple[str, str], Item] = {}
    problems = []
    for item in items:
        if item.pending:
            continue
        key = identity(item)
        if key is None:
            continue
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(
                    item.path,
                    item.line,
                    f"Duplicate {LABELS[item.kind]} {key[1]!r}: already given at "
                    f"{first.where()}.",
                )
            )
        else:
            seen[key] = item
    return problems
