"""Build a snapshot: every download file of the published data set, in one folder.

Run by the worker (`tasks.rebuild_snapshot`) after published content changed, or
by `manage.py build_snapshot`; never during a reader's request. Everything is
read through `published()` (the API's shapes), in one transaction that sees a
single committed state of the database; drafts and pending changes are never
rows readers see, so they never reach a file. The files are written to a
temporary folder that is renamed into place, so a reader never downloads half a
file. The newest snapshot of each of the last `SNAPSHOTS_KEPT_WEEKS` weeks is
kept; older ones are deleted with their folders.
"""

import csv
import hashlib
import io
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from api import graph
from exchange import documents, exporter
from exchange import json_format as shapes

from . import tables
from .models import Snapshot

ZIP_NAME = "threatwatch-all.zip"


@dataclass(frozen=True)
class File:
    name: str
    title: str
    size: int
    sha256: str

    @property
    def format(self) -> str:
        return self.name.rsplit(".", 1)[1].upper()


class Folder:
    """Write each file as soon as it is made, keeping only its size and digest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: list[File] = []

    def add(self, name: str, title: str, body: bytes) -> None:
        (self.path / name).write_bytes(body)
        self.files.append(
            File(name, title, len(body), hashlib.sha256(body).hexdigest())
        )

    def add_file(self, name: str, title: str) -> None:
        digest, size = hashlib.sha256(), 0
        with (self.path / name).open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
        self.files.append(File(name, title, size, digest.hexdigest()))


def root() -> Path:
    return Path(settings.SNAPSHOT_ROOT)


def _json(document) -> bytes:
    return shapes.dumps(document).encode()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _write_files(folder: Folder) -> dict:
    """Write every file from one consistent view of the database; return totals."""
    with transaction.atomic():
        if connection.vendor == "postgresql" and not _in_outer_transaction():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        export = exporter.export()
        folder.add(
            "threatwatch-export.json",
            "Everything published, in the export shape that import_entries reads back",
            _json(export),
        )
        folder.add(
            "threats.json",
            "The taxonomy: domains with their threat patterns",
            _json(documents.threats_document(export["domains"])),
        )
        folder.add(
            "incidents.json",
            "Every published incident, in one file",
            _json(documents.incidents_document(export["incidents"])),
        )
        tables_ = tables.csv_tables(export)
        totals = export["_meta"]["totals"]
        del export
        graph_data, warnings, graph_totals = graph.build()
        folder.add(
            "graph.json",
            "The knowledge base as nodes and edges",
            _json(
                {
                    "_meta": shapes.meta(totals=graph_totals, warnings=warnings),
                    **graph_data,
                }
            ),
        )
        del graph_data
        folder.add(
            "citations.json",
            "A ready citation (text and BibTeX) of every published entry",
            _json(documents.citations_document()),
        )
        for name, title, rows in tables_:
            folder.add(name, title, _csv(rows))
    return totals


def _in_outer_transaction() -> bool:
    # The isolation level can only be set by the first statement: inside an
    # outer transaction (tests, a caller's atomic block) its view is used as is.
    return len(connection.savepoint_ids) > 0 or not connection.get_autocommit()


def _zip(folder: Folder, when) -> None:
    stamp = timezone.localtime(when).timetuple()[:6]
    with zipfile.ZipFile(folder.path / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in folder.files:
            info = zipfile.ZipInfo(f"threatwatch/{file.name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with (
                (folder.path / file.name).open("rb") as source,
                archive.open(info, "w") as target,
            ):
                shutil.copyfileobj(source, target, 1 << 20)
    folder.add_file(ZIP_NAME, "All of the files above in one zip archive")


def build(now=None) -> Snapshot:
    """Write a new snapshot, record it and drop the ones no longer kept."""
    now = now or timezone.now()
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    name = f"{timezone.localtime(now):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    building = base / f".building-{name}"
    building.mkdir()
    folder = Folder(building)
    try:
        totals = _write_files(folder)
        _zip(folder, now)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    manifest = [
        {
            "name": f.name,
            "title": f.title,
            "format": f.format,
            "size": f.size,
            "sha256": f.sha256,
        }
        for f in folder.files
    ]
    (building / "SHA256SUMS").write_text(
        "".join(f"{f['sha256']}  {f['name']}\n" for f in manifest)
    )
    building.rename(base / name)
    year, week, _ = timezone.localtime(now).isocalendar()
    snapshot = Snapshot.objects.create(
        created_at=now,
        week=f"{year}-W{week:02d}",
        folder=name,
        files=manifest,
        totals=totals,
    )
    prune()
    return snapshot


def prune() -> list[str]:
    """Keep the newest snapshot of each of the last kept weeks; return the dropped."""
    kept_weeks: set[str] = set()
    dropped = []
    for snapshot in Snapshot.objects.order_by("-created_at", "-pk"):
        if (
            snapshot.week not in kept_weeks
            and len(kept_weeks) < settings.SNAPSHOTS_KEPT_WEEKS
        ):
            kept_weeks.add(snapshot.week)
            continue
        dropped.append(snapshot.folder)
        snapshot.delete()
        shutil.rmtree(root() / snapshot.folder, ignore_errors=True)
    return dropped
