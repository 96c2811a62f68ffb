"""Revision history in bulk, shaped like the history the services record.

An entry's K revisions follow the life cycle: one or two draft revisions, the
first publication, then pairs of (pending change, publication). Each revision
is a reversion Revision with one Version per object it covers (the entry and
the rows it owns) and a RevisionMeta; each has the audit event the service
would have written with it.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reversion.models import Revision, Version

from editorial.models import AuditEvent, RevisionMeta, State

from .tables import Ids, Table, Writer

DRAFT, PENDING, PUBLISH = "draft", "pending", "publish"


@dataclass
class Step:
    kind: str
    when: datetime.datetime
    minor: bool = False


def schedule(
    count: int,
    rng: random.Random,
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[Step]:
    """Return the life-cycle steps of `count` revisions, the last one a publication."""
    pairs = max(count - 2, 0) // 2
    drafts = count - 1 - 2 * pairs
    kinds = [DRAFT] * drafts + [PUBLISH] + [PENDING, PUBLISH] * pairs
    span = max((end - start).total_seconds(), 1.0)
    offsets = sorted(rng.random() * span for _ in kinds)
    steps = []
    for kind, offset in zip(kinds, offsets, strict=True):
        when = start + datetime.timedelta(seconds=int(offset))
        published_before = any(s.kind == PUBLISH for s in steps)
        minor = kind == PUBLISH and published_before and rng.random() < 0.1
        steps.append(Step(kind, when, minor))
    return steps


def lifecycle(steps: list[Step]) -> dict[str, Any]:
    """Return the live row's life-cycle fields after `steps`."""
    version = 0
    first_published = last_updated = None
    for step in steps:
        if step.kind in (DRAFT, PENDING):
            version += 1
        else:
            first_published = first_published or step.when
            if not step.minor or last_updated is None:
                last_updated = step.when.date()
    return {
        "state": State.PUBLISHED,
        "created_at": steps[0].when,
        "updated_at": steps[-1].when,
        "first_published": first_published,
        "last_updated": last_updated,
        "last_reviewed": None,
        "expires_at": None,
        "version": version,
    }


@dataclass
class Owned:
    """A row the entry owns (a source, an entity): its table, values and repr."""

    table: Table
    values: dict[str, Any]
    repr: str


@dataclass
class Entry:
    """What the history writer needs to know about one generated entry."""

    table: Table
    values: dict[str, Any]  # the live row, by attname; life-cycle fields are set here
    m2m: dict[str, list[int]]
    owned: list[Owned] = field(default_factory=list)
    repr: Callable[[dict[str, Any]], str] = str
    revise: Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]] | None = None


class HistoryWriter:
    """Write revisions, versions, revision metas and audit events through COPY."""

    def __init__(
        self, cursor, writer: Writer, authors: list[int], reviewers: list[int]
    ):
        self.writer = writer
        self.authors = authors
        self.reviewers = reviewers
        self.revision_ids = Ids(cursor, Revision)
        self.version_ids = Ids(cursor, Version)
        self.revision = Table(Revision)
        self.version = Table(Version)
        self.meta = Table(RevisionMeta)
        self.audit = Table(AuditEvent)
        self.revisions = 0

    def write(self, entry: Entry, steps: list[Step], rng: random.Random) -> None:
        """Record `steps` for the entry and set its live life-cycle fields."""
        contents = self._contents(entry, steps)
        live = entry.values
        version = 0
        first_published = None
        last_updated = None
        state = State.DRAFT
        content_index = -1
        created = steps[0].when
        changed: list[str] = []
        for number, step in enumerate(steps):
            previous_state = state
            if step.kind in (DRAFT, PENDING):
                content_index += 1
                content, changed = contents[content_index]
            content_version = version
            if step.kind == DRAFT:
                version += 1
                content_version = version
                state = State.DRAFT
                user = rng.choice(self.authors)
                comment = "Created" if number == 0 else "Edited draft"
                action = AuditEvent.Action.CREATE if number == 0 else "edit"
                previous_state = State.DRAFT
            elif step.kind == PENDING:
                version += 1
                user = rng.choice(self.authors)
                comment = "Pending change"
                action = AuditEvent.Action.EDIT
            else:
                if previous_state == State.DRAFT and number > 0:
                    previous_state = State.IN_REVIEW
                content_version = version
                state = State.PUBLISHED
                first_published = first_published or step.when
                if not step.minor or last_updated is None:
                    last_updated = step.when.date()
                user = rng.choice(self.reviewers)
                comment = "Published (minor change)" if step.minor else "Published"
                action = AuditEvent.Action.PUBLISH
                if content_index < 0:  # published straight away, as load_demo does
                    content_index = 0
                    content, changed = contents[0]
            values = {
                **content,
                "state": State.PUBLISHED if step.kind == PENDING else state,
                "created_at": created,
                "updated_at": step.when,
                "first_published": first_published,
                "last_updated": last_updated,
                "last_reviewed": None,
                "expires_at": None,
                "version": content_version,
            }
            self._revision(
                entry,
                values,
                when=step.when,
                user=user,
                comment=comment,
                meta={
                    "entry_version": version,
                    "state": values["state"],
                    "previous_state": previous_state,
                    "pending": step.kind == PENDING,
                    "published": step.kind == PUBLISH,
                    "minor": step.minor,
                },
                action=action,
                changed=changed,
            )
        live.update(lifecycle(steps))

    def _contents(self, entry: Entry, steps: list[Step]):
        """Return the content of each edit, oldest first; the last is the live one."""
        edits = sum(1 for s in steps if s.kind in (DRAFT, PENDING)) or 1
        names = [f.attname for f in entry.table.fields]
        current = {name: entry.values[name] for name in names if name in entry.values}
        contents = [(current, [])]
        for _ in range(edits - 1):
            older, fields = entry.revise(contents[-1][0])
            contents[-1] = (contents[-1][0], fields)
            contents.append((older, []))
        contents.reverse()
        first, _ = contents[0]
        contents[0] = (first, sorted(f.name for f in entry.table.serial_fields))
        return contents

    def _revision(self, entry, values, *, when, user, comment, meta, action, changed):
        revision_id = self.revision_ids.take()
        self.revisions += 1
        add = self.writer.add_model
        add(
            self.revision,
            {
                "id": revision_id,
                "date_created": when,
                "user_id": user,
                "comment": comment,
            },
        )
        object_id = values["id"]
        entry_repr = entry.repr(values)
        rows = [(entry.table, values, entry.m2m, entry_repr)]
        rows += [(o.table, o.values, {}, o.repr) for o in entry.owned]
        for table, row_values, m2m, object_repr in rows:
            add(
                self.version,
                {
                    "id": self.version_ids.take(),
                    "revision_id": revision_id,
                    "object_id": str(row_values["id"]),
                    "content_type_id": table.content_type_id,
                    "db": "default",
                    "format": "json",
                    "serialized_data": table.serialize(row_values, m2m),
                    "object_repr": object_repr,
                },
            )
        add(
            self.meta,
            {
                "revision_id": revision_id,
                "content_type_id": entry.table.content_type_id,
                "object_id": object_id,
                **meta,
            },
        )
        add(
            self.audit,
            {
                "at": when,
                "actor_id": user,
                "action": action,
                "content_type_id": entry.table.content_type_id,
                "object_id": object_id,
                "entry_repr": entry_repr[:300],
                "changed_fields": _json_list(changed),
                "comment": comment,
                "revision_id": revision_id,
            },
        )


def _json_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"
