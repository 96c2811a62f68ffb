"""The invalidation pass (`make bench-invalidation`): what one publish turns cold.

Serves the benchmark database (BENCH_DATABASE_URL, made by `make bench` or
kept with BENCH_REUSE_DB=1) with gunicorn behind Varnish, warms about 2,000
pages (incidents, terms, patterns, domains, dimension values, lists) in both
caches, publishes one edit of an incident through review, and then reports:

- the share of the warm pages still served from the in-app cache and from
  Varnish, for detail pages and for all pages;
- that every warm page that showed the incident's old title shows the new one
  on the next request, from the app and through Varnish (it fails otherwise);
- req/s of a cached page through Varnish and of the in-app cache, beside
  whitenoise's static file of the same size (wrk, c=BENCH_CONNECTIONS).

Writes a section of bench/RESULTS.md. Environment as bench/run.py, plus
BENCH_VARNISH_PORT (6913) and BENCH_WARM_PAGES (2000).
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402
    STATIC_PAGE,
    Config,
    Server,
    app_env,
    say,
    write_static_file,
    wrk,
)
from bench.serve import ROOT, collectstatic  # noqa: E402
from bench.varnish import Varnish  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- invalidation:begin -->", "<!-- invalidation:end -->"
WARM_PAGES = int(os.environ.get("BENCH_WARM_PAGES", 2000))
DETAIL_KINDS = ("incident", "term", "pattern", "domain", "dimension")

PAGES_SCRIPT = """
import json, random
from incidents.models import DIMENSIONS, Domain, Incident, ThreatPattern
from glossary.models import Term
random.seed(1)
budget = {budget}
linked = list(Incident.objects.published().filter(terms__state="published")
    .order_by("pk").distinct()[:1])
incidents = list(Incident.objects.published().order_by("?")[: budget * 45 // 100])
target = linked[0] if linked else incidents[0]
pages = [("incident", target.get_absolute_url())]
pages += [("incident", i.get_absolute_url()) for i in incidents if i.pk != target.pk]
pages += [("term", t.get_absolute_url()) for t in target.terms.published()]
pages += [("term", t.get_absolute_url())
    for t in Term.objects.published().order_by("?")[: budget * 40 // 100]]
pages += [("pattern", p.get_absolute_url()) for p in ThreatPattern.objects.published()]
pages += [("domain", d.get_absolute_url()) for d in Domain.objects.published()]
for prefix, model in DIMENSIONS.items():
    pages.append(("list", f"/{{prefix}}/"))
    pages += [("dimension", v.get_absolute_url()) for v in model.objects.published()]
pages += [("list", "/"), ("list", "/glossary/"), ("list", "/taxonomy/")]
seen, unique = set(), []
for kind, url in pages:
    if url not in seen:
        seen.add(url)
        unique.append((kind, url))
n = 1
while len(unique) < budget:
    unique.append(("list", f"/incidents/?page={{n}}"))
    n += 1
print(json.dumps({{"pages": unique[:budget], "incident": target.pk,
    "title": target.title}}))
"""

PUBLISH_SCRIPT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from editorial import services
from editorial.roles import AUTHOR, REVIEWER
from incidents.models import Incident
User = get_user_model()
def user(name, role):
    found, _ = User.objects.get_or_create(username=name, defaults={{"is_staff": True}})
    found.groups.add(Group.objects.get(name=role))
    return found
author, reviewer = user("bench-author", AUTHOR), user("bench-reviewer", REVIEWER)
incident = Incident.objects.get(pk={pk})
def apply(live):
    live.title = {title!r}
    live.save()
services.edit(incident, by=author, apply=apply)
services.submit(incident, by=author)
services.approve(incident, by=reviewer)
"""


def get(url: str) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


def fetch_all(base: str, pages: list) -> list[tuple[int, dict, str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda page: get(base + page[1]), pages))


def manage_shell(config: Config, env: dict, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return result.stdout


def shares(pages, results, header) -> dict:
    hit = {"detail": [0, 0], "all": [0, 0]}
    for (kind, _), (_, headers, _) in zip(pages, results, strict=True):
        is_hit = headers.get(header, "").lower() == "hit"
        for group in ("all", "detail") if kind in DETAIL_KINDS else ("all",):
            hit[group][0] += is_hit
            hit[group][1] += 1
    return {group: (n, total) for group, (n, total) in hit.items()}


def freshness(pages, before, after, old: str, new: str) -> tuple[int, list[str]]:
    """Return how many pages showed the old title, and those still stale."""
    showing, stale = 0, []
    for (_, url), (_, _, body_before), (status, _, body) in zip(
        pages, before, after, strict=True
    ):
        if old in body_before or escape(old) in body_before:
            showing += 1
            if status != 200 or new not in body or old in body.replace(new, ""):
                stale.append(url)
    return showing, stale


def main() -> None:
    config = Config()
    config.port = int(os.environ.get("BENCH_PORT", 8913))
    varnish_port = int(os.environ.get("BENCH_VARNISH_PORT", 6913))
    prefix = f"tw-bench-inval-{uuid.uuid4().hex[:8]}"
    env = app_env(
        config,
        CACHE_URL=config.cache_url,
        CACHE_KEY_PREFIX=prefix,
        PUBLIC_PAGE_CACHE="1",
        FRONTEND_CACHE_URLS=f"http://127.0.0.1:{varnish_port}/",
        CACHE_TAGS_HEADER="xkey",
    )
    collectstatic(env)
    say("choosing the pages")
    chosen = json.loads(
        manage_shell(config, env, PAGES_SCRIPT.format(budget=WARM_PAGES))
        .strip()
        .splitlines()[-1]
    )
    pages = [tuple(page) for page in chosen["pages"]]
    old_title = chosen["title"]
    new_title = f"Renamed by the benchmark {uuid.uuid4().hex[:6]}"
    incident_url = pages[0][1]
    # As big as the term page of the 100,000-incident corpus (bench/RESULTS.md).
    write_static_file(int(os.environ.get("BENCH_STATIC_BYTES", 22078)))
    server = Server(config, env)
    varnish = Varnish(config.port, port=varnish_port).start(memory="512m")
    try:
        app, front = server.base, varnish.url
        say(f"warming {len(pages)} pages in the app cache and in Varnish")
        first = fetch_all(app, pages)
        errors = [page[1] for page, r in zip(pages, first, strict=True) if r[0] != 200]
        fetch_all(front, pages)
        before = fetch_all(app, pages)
        warm_app = shares(pages, before, "X-Cache")
        warm_front = shares(pages, fetch_all(front, pages), "X-Varnish-Cache")
        say(f"publishing an edit of {incident_url}")
        started = time.monotonic()
        manage_shell(
            config,
            env,
            PUBLISH_SCRIPT.format(pk=chosen["incident"], title=new_title),
        )
        publish_seconds = time.monotonic() - started
        after_app = fetch_all(app, pages)
        after_front = fetch_all(front, pages)
        app_share = shares(pages, after_app, "X-Cache")
        front_share = shares(pages, after_front, "X-Varnish-Cache")
        showing, stale_app = freshness(pages, before, after_app, old_title, new_title)
        _, stale_front = freshness(pages, before, after_front, old_title, new_title)
        say("measuring req/s: Varnish, in-app cache, static file")
        term = next(url for kind, url in pages if kind == "term")
        throughput = {}
        for name, url in (
            ("static file (whitenoise, gunicorn)", app + STATIC_PAGE["path"]),
            ("term page through Varnish (hit)", front + term),
            ("term page from the in-app cache", app + term),
            ("static file through Varnish (hit)", front + STATIC_PAGE["path"]),
        ):
            get(url)
            get(url)
            throughput[name] = wrk(url, config.connections, config.duration, "")
    finally:
        varnish.stop()
        server.stop()
    result = {
        "pages": len(pages),
        "kinds": {
            kind: sum(1 for k, _ in pages if k == kind)
            for kind in sorted({k for k, _ in pages})
        },
        "errors": errors,
        "warm_app": warm_app,
        "warm_front": warm_front,
        "app": app_share,
        "front": front_share,
        "showing": showing,
        "stale_app": stale_app,
        "stale_front": stale_front,
        "publish_seconds": publish_seconds,
        "throughput": {k: v["rps"] for k, v in throughput.items()},
        "p95": {k: v.get("p95_us", 0) / 1000 for k, v in throughput.items()},
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    write_results(config, result)
    if stale_app or stale_front or errors:
        sys.exit("FAILED: stale pages after the publish (see above)")


def pct(pair) -> str:
    n, total = pair
    return f"{100 * n / total:.1f} % ({n}/{total})" if total else "–"


def write_results(config: Config, r: dict) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    counts = subprocess.run(
        [
            "psql",
            config.database_url,
            "-Atc",
            "select (select count(*) from incidents_incident where state='published'),"
            "(select count(*) from glossary_term where state='published')",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    static = r["throughput"]["static file (whitenoise, gunicorn)"]
    rows = "\n".join(
        f"| {name} | {rps:.0f} | {r['p95'][name]:.1f} | {rps / static:.2f} |"
        for name, rps in r["throughput"].items()
    )
    kinds = ", ".join(f"{n} {kind}" for kind, n in r["kinds"].items())
    section = f"""{BEGIN}
## Invalidation pass (`make bench-invalidation`)

- Code measured: {commit}; corpus: {counts.replace("|", " published incidents, ")}
  published terms; gunicorn ({config.workers} workers) behind Varnish 7.1
  (deploy/varnish/default.vcl), Redis page cache; wrk c={config.connections},
  {config.duration} s.
- {r["pages"]} warm pages ({kinds}); before the publish
  {pct(r["warm_app"]["all"])} were in-app hits and {pct(r["warm_front"]["all"])}
  Varnish hits.
- One incident edit published through review (edit, submit, approve in one
  `manage.py shell`, {r["publish_seconds"]:.1f} s with Django's start-up), then
  every page requested again:

| still cached after one publish | detail pages | all pages |
|---|---:|---:|
| in-app cache (Redis) | {pct(r["app"]["detail"])} | {pct(r["app"]["all"])} |
| Varnish | {pct(r["front"]["detail"])} | {pct(r["front"]["all"])} |

- {r["showing"]} warm pages showed the incident's old title; on the next request
  {r["showing"] - len(r["stale_app"])} of them showed the new one from the app
  and {r["showing"] - len(r["stale_front"])} through Varnish (stale: app
  {len(r["stale_app"])}, Varnish {len(r["stale_front"])}).

| page | req/s (c=N) | p95 ms | × static |
|---|---:|---:|---:|
{rows}
{END}"""
    text = RESULTS.read_text()
    if BEGIN in text:
        text = re.sub(
            re.escape(BEGIN) + ".*?" + re.escape(END), section, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
