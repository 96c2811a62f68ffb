"""Downloads: whole-data-set snapshots built by the worker, listed and served."""

import datetime
import hashlib
import io
import json
import zipfile
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from downloads import builder
from downloads.models import RebuildRequest, Snapshot
from editorial import services
from editorial.models import State
from incidents.models import Incident, Organisation
from tests.exchange.test_export import build_knowledge_base, wipe, without_generated
from tests.factories import make_incident, make_term, make_user

pytestmark = pytest.mark.django_db

MARKER = "zqxsnapshotmarker"
EXPECTED_FILES = [
    "threatwatch-export.json",
    "threats.json",
    "incidents.json",
    "graph.json",
    "citations.json",
    "domains.csv",
    "patterns.csv",
    "incidents.csv",
    "glossary.csv",
    "organisations.csv",
    "dimensions.csv",
    "threatwatch-all.zip",
]


def _files(snapshot: Snapshot) -> dict[str, bytes]:
    folder = builder.root() / snapshot.folder
    return {f["name"]: (folder / f["name"]).read_bytes() for f in snapshot.files}


def _plant_unpublished(author) -> None:
    """Drafts of every kind and pending changes of published entries."""
    for state in (State.DRAFT, State.IN_REVIEW, State.ARCHIVED):
        make_incident(title=f"{MARKER} {state} incident", state=state)
        make_term(term=f"{MARKER} {state} term", state=state)
        Organisation.objects.create(name=f"{MARKER} {state} org", slug=f"o-{state}")
    for entry in (Incident.objects.published().first(), Organisation.objects.first()):

        def apply(live):
            field = "title" if isinstance(live, Incident) else "description"
            setattr(live, field, f"{MARKER} pending text")
            live.save()

        services.edit(entry, by=author, apply=apply, summary=f"{MARKER} summary")


def test_an_empty_site_says_no_snapshot_yet(client):
    html = client.get("/downloads/").content.decode()
    assert "No snapshot has been built yet" in html
    assert "manage.py build_snapshot" in html
    assert client.get("/downloads/latest/incidents.json").status_code == 404


def test_snapshot_files_are_listed_with_size_checksum_licence_and_citation(client):
    build_knowledge_base()
    call_command("build_snapshot", stdout=StringIO())
    snapshot = Snapshot.objects.get()
    assert [f["name"] for f in snapshot.files] == EXPECTED_FILES
    html = client.get("/downloads/").content.decode()
    for file in snapshot.files:
        url = f"/downloads/{snapshot.folder}/{file['name']}"
        assert f'href="{url}"' in html
        assert file["sha256"] in html
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert len(body) == file["size"]
        assert hashlib.sha256(body).hexdigest() == file["sha256"]
    assert "CC BY 4.0" in html and "Data set, snapshot of" in html
    with zipfile.ZipFile(io.BytesIO(_files(snapshot)["threatwatch-all.zip"])) as zf:
        assert sorted(n.split("/")[1] for n in zf.namelist()) == sorted(
            EXPECTED_FILES[:-1]
        )
    latest = client.get("/downloads/latest/threats.json")
    assert latest.status_code == 302
    assert latest["Location"] == f"/downloads/{snapshot.folder}/threats.json"
    assert client.get(f"/downloads/{snapshot.folder}/SHA256SUMS").status_code == 404
    assert client.get(f"/downloads/{snapshot.folder}/../settings.py").status_code in (
        404,
        400,
    )


def test_whole_files_hold_every_incident_and_match_the_api(client, settings):
    settings.SITE_URL = "https://threatwatch.example"  # files are built off-request
    build_knowledge_base()
    pattern = Incident.objects.get().primary_pattern
    for n in range(30):  # more than a page of the paged API
        make_incident(pattern, title=f"Bulk {n}")
    files = _files(builder.build())
    incidents = json.loads(files["incidents.json"])
    assert len(incidents["incidents"]) == 31
    api_page = json.loads(client.get("/api/incidents.json?sort=code").content)
    first = {i["id"]: i for i in incidents["incidents"]}
    assert all(first[i["id"]] == i for i in api_page["incidents"])
    threats = json.loads(files["threats.json"])
    api_threats = json.loads(client.get("/api/threats.json").content)
    assert threats["domains"] == api_threats["domains"]
    citations = json.loads(files["citations.json"])
    assert {c["type"] for c in citations["citations"]} == {
        "domain",
        "threat_pattern",
        "incident",
        "glossary_term",
        "organisation",
    }
    assert "Data set, snapshot of" in citations["_meta"]["dataset"]["text"]
    graph = json.loads(files["graph.json"])
    assert any(n["type"] == "organisation" for n in graph["nodes"])
    rows = files["incidents.csv"].decode().splitlines()
    assert len(rows) == 32 and rows[0].startswith("id,title,url")


def test_json_snapshot_imports_into_an_empty_site_and_exports_the_same(tmp_path):
    incident, _ = build_knowledge_base()
    organisation = Organisation.objects.get(name="Acme Labs")
    organisation.description = "Makes **models**."
    organisation.aliases = "Acme\nAcme Research"
    organisation.website = "https://acme.example/"
    organisation.save()
    other = make_incident(incident.primary_pattern, code="INC-23-0100")
    incident.pinned_similar.add(other)
    _plant_unpublished(make_user(role="Author"))
    snapshot_file = builder.root() / builder.build().folder / "threatwatch-export.json"
    first = json.loads(snapshot_file.read_text())
    wipe()
    call_command("import_entries", str(snapshot_file), "--publish", stdout=StringIO())
    again = tmp_path / "again.json"
    call_command("export_entries", "--output", str(again), stdout=StringIO())
    assert without_generated(json.loads(again.read_text())) == without_generated(first)
    imported = Incident.objects.get(code=incident.code)
    assert [i.code for i in imported.pinned_similar.all()] == ["INC-23-0100"]
    assert Organisation.objects.get(slug="acme-labs").aliases == "Acme\nAcme Research"


def test_snapshots_never_hold_drafts_or_pending_changes():
    build_knowledge_base()
    _plant_unpublished(make_user(role="Author"))
    files = _files(builder.build())
    with zipfile.ZipFile(io.BytesIO(files.pop("threatwatch-all.zip"))) as archive:
        for name in archive.namelist():
            files[f"zip:{name}"] = archive.read(name)
    assert len(files) == 2 * (len(EXPECTED_FILES) - 1)
    leaks = [name for name, body in files.items() if MARKER.encode() in body]
    assert not leaks


@pytest.mark.django_db(transaction=True)
def test_publishing_enqueues_one_rebuild_that_the_worker_runs():
    # Real commits: the signal is sent once each publish has committed.
    reviewer = make_user(role="Reviewer")
    entries = [make_term(state=State.DRAFT) for _ in range(3)]
    for entry in entries:
        services.publish(entry, by=reviewer)
    assert Snapshot.objects.count() == 0  # never built in the request or publish
    assert RebuildRequest.objects.get().pending
    ready = DBTaskResult.objects.filter(task_path__endswith="rebuild_snapshot")
    assert ready.count() == 1
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=StringIO())
    snapshot = Snapshot.objects.get()
    assert snapshot.totals["terms"] == 3
    assert not RebuildRequest.objects.get().pending
    services.unpublish(entries[0], by=reviewer)
    assert ready.count() == 2  # a new request once the last one has started


def test_the_newest_snapshot_of_each_of_twelve_weeks_is_kept():
    start = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)  # a Monday
    built = []
    for week in range(14):
        for hour in (0, 5):
            built.append(
                builder.build(now=start + datetime.timedelta(weeks=week, hours=hour))
            )
    kept = list(Snapshot.objects.order_by("created_at"))
    assert len(kept) == settings.SNAPSHOTS_KEPT_WEEKS == 12
    assert [s.pk for s in kept] == [s.pk for s in built[5::2]]
    folders = {p.name for p in builder.root().iterdir()}
    assert folders == {s.folder for s in kept}


def test_downloads_page_query_count_is_fixed(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/downloads/")
    for week in range(3):
        builder.build(
            now=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
            + datetime.timedelta(weeks=week)
        )
    with django_assert_num_queries(1):
        assert "Earlier weeks" in client.get("/downloads/").content.decode()


def test_citations_api(client, django_assert_num_queries):
    incident, term = build_knowledge_base()
    make_incident(title="Draft only", state=State.DRAFT)
    with django_assert_num_queries(5):
        response = client.get("/api/citations.json")
    data = json.loads(response.content)
    by_id = {c["id"]: c for c in data["citations"]}
    cited = by_id[incident.code]
    assert cited["url"].endswith(f"/incidents/{incident.code}/")
    assert cited["bibtex"].startswith("@misc{threatwatch:" + incident.code)
    assert "Draft only" not in response.content.decode()
    assert data["_meta"]["totals"]["citations"] == len(data["citations"])
