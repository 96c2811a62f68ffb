"""The glossary text format: one term per file, as editors write it by hand.

    Prompt Injection                         <- line 1: the term
    An attack in which ...                   <- line 2: the one-sentence summary
    Definition                               <- headed sections, in this order
    ...
    How It Relates to AI Threats
    ...
    Why It Occurs
    - one reason per "- " bullet
    Real-World Context
    ...
    Related Incidents                        <- "Related ..." lists of "- " bullets,
    - INC-23-0001                               each optional and possibly empty
    Related Threat Patterns
    Related Terms
    Last updated: 2026-03-02                 <- the last line

Parsing gives the term in the JSON shape of `/api/glossary.json`, and the line
each field came from, so a problem found later can still point at its line.
"""

import datetime
import re
from dataclasses import dataclass, field

# Heading (as written, compared without case) -> key in the JSON shape.
SECTIONS = {
    "definition": "definition",
    "how it relates to ai threats": "relation_to_threats",
    "why it occurs": "why_it_occurs",
    "real-world context": "real_world_context",
}
RELATED = {
    "related incidents": "related_incidents",
    "related threat patterns": "related_patterns",
    "related domains": "related_domains",
    "related terms": "related_terms",
}
HEADINGS = {**SECTIONS, **RELATED}
BULLETED = {"why_it_occurs", *RELATED.values()}
LAST_UPDATED = re.compile(r"^last updated:\s*(.*)$", re.IGNORECASE)


@dataclass
class ParsedTerm:
    data: dict
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class TextProblem:
    line: int
    message: str


def heading_key(line: str) -> str | None:
    return HEADINGS.get(line.strip().rstrip(":").strip().lower())


def parse(source: str) -> tuple[ParsedTerm | None, list[TextProblem]]:
    """Parse one term; return it with every problem found (and None if any)."""
    problems: list[TextProblem] = []
    lines = source.splitlines()
    # Ignore blank lines at the end; keep numbering 1-based as editors see it.
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 2 or not lines[0].strip() or not lines[1].strip():
        return None, [
            TextProblem(
                1,
                "The file must start with the term on line 1 and its "
                "one-sentence summary on line 2.",
            )
        ]
    data: dict = {"term": lines[0].strip(), "summary": lines[1].strip()}
    where: dict[str, int] = {"term": 1, "summary": 2}
    for number in (1, 2):
        if heading_key(lines[number - 1]):
            problems.append(
                TextProblem(
                    number,
                    f"Line {number} is a section heading; the term and its summary "
                    "come first.",
                )
            )

    last = LAST_UPDATED.match(lines[-1].strip())
    body_end = len(lines)
    if last is None:
        problems.append(
            TextProblem(
                len(lines),
                "The last line must be 'Last updated: YYYY-MM-DD'.",
            )
        )
    else:
        body_end = len(lines) - 1
        where["last_updated"] = len(lines)
        try:
            day = datetime.date.fromisoformat(last.group(1).strip())
        except ValueError:
            problems.append(
                TextProblem(
                    len(lines),
                    f"Malformed date {last.group(1).strip()!r}: use YYYY-MM-DD, "
                    "e.g. 2026-03-02.",
                )
            )
        else:
            data["last_updated"] = day.isoformat()

    current: str | None = None
    collected: dict[str, list[str]] = {}
    for number in range(3, body_end + 1):
        line = lines[number - 1]
        key = heading_key(line)
        if key is not None:
            if key in collected:
                problems.append(
                    TextProblem(
                        number,
                        f"Section {line.strip()!r} appears twice (first on line "
                        f"{where[key]}).",
                    )
                )
            current = key
            collected[key] = []
            where[key] = number
            continue
        if LAST_UPDATED.match(line.strip()):
            problems.append(
                TextProblem(number, "'Last updated:' must be the last line.")
            )
            continue
        if current is None:
            if line.strip():
                problems.append(
                    TextProblem(
                        number,
                        "Text before the first section: expected the heading "
                        "'Definition' on line 3.",
                    )
                )
            continue
        if current in BULLETED and line.strip():
            if not line.lstrip().startswith("- "):
                problems.append(
                    TextProblem(
                        number,
                        f"Items under {_heading(current)!r} are '- ' bullets; "
                        f"this line is not: {line.strip()[:60]!r}.",
                    )
                )
                continue
            where[f"{current}.{len(collected[current])}"] = number
            collected[current].append(line.strip()[2:].strip())
        elif current not in BULLETED:
            collected[current].append(line.rstrip())

    for key in SECTIONS.values():
        if key not in collected:
            problems.append(
                TextProblem(
                    where.get("last_updated", len(lines)),
                    f"Missing section {_heading(key)!r}.",
                )
            )
        elif not any(item.strip() for item in collected[key]):
            problems.append(
                TextProblem(where[key], f"Section {_heading(key)!r} is empty.")
            )
    for key, items in collected.items():
        if key in BULLETED:
            data[key] = [item for item in items if item]
        else:
            data[key] = "\n".join(items).strip("\n")
    for key in RELATED.values():
        data.setdefault(key, [])
    if problems:
        return None, problems
    return ParsedTerm(data, where), []


def _heading(key: str) -> str:
    titles = {
        "definition": "Definition",
        "relation_to_threats": "How It Relates to AI Threats",
        "why_it_occurs": "Why It Occurs",
        "real_world_context": "Real-World Context",
        "related_incidents": "Related Incidents",
        "related_patterns": "Related Threat Patterns",
        "related_domains": "Related Domains",
        "related_terms": "Related Terms",
    }
    return titles[key]
