"""Pick the benchmark's pages and count their SQL queries (run by bench/run.py).

Runs in its own process against the benchmark database, in the same production
settings as the server. Prints one JSON document: the pages (URL, status,
size, queries with the page cache off and on), the slowest query of each page
with its EXPLAIN ANALYZE, the server time of saves through the admin change
form (with the redirect back to it), the admin session cookie, and corpus
statistics.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from reversion.models import Version  # noqa: E402

from editorial.models import RevisionMeta  # noqa: E402
from glossary.models import Term  # noqa: E402
from incidents.models import Incident, Organisation, Sector, ThreatPattern  # noqa: E402

HOST = "127.0.0.1"
SEARCH_QUERY = "cloned voices payments"
SLOW_QUERY_MS = 10.0
ADMIN_USERNAME = "bench-admin"


def heavy_term() -> Term:
    """Return the term with the most revisions (the generator gives one 500)."""
    content_type = ContentType.objects.get_for_model(Term)
    top = (
        RevisionMeta.objects.filter(content_type=content_type)
        .values("object_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Term.objects.get(pk=top["object_id"])


def pages() -> list[dict]:
    """Return the pages to measure: name, path, whether it needs the admin."""
    term = heavy_term()
    pattern = (
        ThreatPattern.objects.published()
        .annotate(n=Count("primary_incidents"))
        .order_by("-n")
        .first()
    )
    incident = (
        Incident.objects.published()
        .filter(primary_pattern=pattern)
        .annotate(n=Count("sources", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    sector = (
        Sector.objects.published().annotate(n=Count("incident")).order_by("-n").first()
    )
    organisation = (
        Organisation.objects.published()
        .annotate(n=Count("incident_roles"))
        .order_by("-n")
        .first()
    )
    oldest = Version.objects.get_for_object(term).order_by("pk").first()
    plain_term = Term.objects.published().exclude(pk=term.pk).order_by("pk").first()
    history = reverse("admin:glossary_term_history", args=[term.pk])
    compare = reverse("admin:glossary_term_compare", args=[term.pk])
    return [
        {"name": "home", "path": "/"},
        {"name": "term", "path": term.get_absolute_url()},
        {"name": "incident", "path": incident.get_absolute_url()},
        {"name": "pattern", "path": pattern.get_absolute_url()},
        {"name": "organisation", "path": organisation.get_absolute_url()},
        {
            "name": "incident list (3 filters + facets)",
            "path": f"/incidents/?sector={sector.slug}&severity=high&year_from=2020",
        },
        {"name": "search", "path": f"/search/?q={SEARCH_QUERY.replace(' ', '+')}"},
        {"name": "api threats.json", "path": "/api/threats.json"},
        {"name": "api incidents.json", "path": "/api/incidents.json"},
        {
            "name": "admin incident list",
            "path": reverse("admin:incidents_incident_changelist"),
            "admin": True,
        },
        {"name": "admin history (500 rev.)", "path": history, "admin": True},
        {
            "name": "admin compare",
            "path": f"{compare}?a={oldest.pk}&b=live",
            "admin": True,
        },
        {
            "name": "admin term change form",
            "path": reverse("admin:glossary_term_change", args=[plain_term.pk]),
            "admin": True,
        },
        {
            "name": "admin incident change form",
            "path": reverse("admin:incidents_incident_change", args=[incident.pk]),
            "admin": True,
        },
    ]


SAVE_RUNS = int(os.environ.get("BENCH_SAVES", 15))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def saves(client: Client) -> list[dict]:
    """Time saves through the change form, in this process (server time only).

    Each save edits the summary of a published entry (so it records a pending
    change, the heavier path) and follows the redirect back to the form, as a
    browser does. Entries other than the measured pages' are used, so the pages
    served to wrk afterwards are unchanged.
    """
    import time

    from django.test.utils import setup_test_environment, teardown_test_environment

    from tests.admin_forms import changeform_data

    measured = {p["path"] for p in pages()}
    results = []
    for name, model, admin_name in (
        ("term", Term, "glossary_term"),
        ("incident", Incident, "incidents_incident"),
    ):
        entry = next(
            e
            for e in model.objects.published().order_by("-pk")[:5]
            if reverse(f"admin:{admin_name}_change", args=[e.pk]) not in measured
        )
        url = reverse(f"admin:{admin_name}_change", args=[entry.pk])
        setup_test_environment()  # the test client keeps the form's context
        try:
            data = changeform_data(client.get(url, secure=True))
        finally:
            teardown_test_environment()
        posts, totals = [], []
        for n in range(SAVE_RUNS + 2):
            data["summary"] = f"{entry.summary[:200]} (bench save {n})"
            data["base_version"] = str(model.objects.get(pk=entry.pk).version)
            data["_continue"] = "1"
            started = time.perf_counter()
            response = client.post(url, data, secure=True)
            posted = time.perf_counter()
            if response.status_code != 302:
                raise RuntimeError(f"save of {url} answered {response.status_code}")
            client.get(response["Location"], secure=True)
            done = time.perf_counter()
            if n >= 2:  # the first saves warm the process
                posts.append((posted - started) * 1000)
                totals.append((done - started) * 1000)
        results.append(
            {
                "name": f"admin {name} save",
                "path": url,
                "runs": len(posts),
                "post_p50_ms": _percentile(posts, 0.5),
                "post_p95_ms": _percentile(posts, 0.95),
                "p50_ms": _percentile(totals, 0.5),
                "p95_ms": _percentile(totals, 0.95),
            }
        )
    return results


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(client: Client, page: dict) -> dict:
    """Request the page three times: cold, warm without cache, warm with cache."""
    settings.PUBLIC_PAGE_CACHE = False
    response = client.get(page["path"], secure=True)
    # captured_queries reads the connection's log, which the next request clears:
    # copy it before making another request.
    with CaptureQueriesContext(connection) as context:
        response = client.get(page["path"], secure=True)
    uncached = list(context.captured_queries)
    settings.PUBLIC_PAGE_CACHE = True
    client.get(page["path"], secure=True)
    with CaptureQueriesContext(connection) as context:
        client.get(page["path"], secure=True)
    cached = list(context.captured_queries)
    settings.PUBLIC_PAGE_CACHE = False
    slowest = max(uncached, key=lambda q: float(q["time"]), default=None)
    result = {
        **page,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(uncached),
        "queries_cached": len(cached),
        "sql_ms": round(sum(float(q["time"]) for q in uncached) * 1000, 1),
    }
    if slowest is not None:
        result["slowest_ms"] = round(float(slowest["time"]) * 1000, 1)
        result["slowest_sql"] = slowest["sql"]
        if result["slowest_ms"] >= SLOW_QUERY_MS and slowest["sql"].startswith(
            "SELECT"
        ):
            result["slowest_plan"] = explain(slowest["sql"])
    return result


def main() -> None:
    admin, _ = get_user_model().objects.update_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    anonymous = Client(HTTP_HOST=HOST)
    staff = Client(HTTP_HOST=HOST)
    staff.force_login(admin)
    results = []
    for page in pages():
        client = staff if page.get("admin") else anonymous
        results.append(measure(client, page))
    save_times = saves(staff)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database()), version()")
        size, version = cursor.fetchone()
    cookie_name = settings.SESSION_COOKIE_NAME
    document = {
        "pages": results,
        "saves": save_times,
        "cookie": f"{cookie_name}={staff.cookies[cookie_name].value}",
        "counts": {
            "incidents": Incident.objects.published().count(),
            "terms": Term.objects.published().count(),
            "patterns": ThreatPattern.objects.published().count(),
            "versions": Version.objects.count(),
            "revisions": RevisionMeta.objects.count(),
        },
        "database_bytes": size,
        "postgres": version,
    }
    json.dump(document, sys.stdout)


if __name__ == "__main__":
    main()
