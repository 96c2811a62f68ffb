"""Load and soak: readers hammer the public site while editors publish (`make load`).

Starts gunicorn in production settings on a fresh PostgreSQL database with the
demo data and a shared Redis cache, runs LOAD_CLIENTS reader threads for
LOAD_SECONDS while an editor publishes a new version of one term every half
second, and checks every response: no errors, complete bodies, each page one
consistent version, and no reader getting a version older than the last publish
that had returned before its request began. Exits non-zero on any failure.
"""

import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import collectstatic, gunicorn_command  # noqa: E402

DATABASE = "tw_load"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PORT = 8025
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
TERM_SLUG = "dual-use"
CACHE_PREFIX = f"tw-load-{uuid.uuid4().hex[:8]}"  # one namespace for server and editor
VERSION = re.compile(r"Load version (\d+)")
READER_PATHS = [
    "/",
    f"/glossary/{TERM_SLUG}/",
    f"/glossary/{TERM_SLUG}/",
    "/glossary/",
    "/incidents/",
    "/incidents/?domain=security-cyber&severity=high",
    "/incidents/?year=2024&sort=severity",
    "/taxonomy/",
    "/search/?q=prompt+injection",
    "/patterns/deepfake-identity-hijacking/",
    "/sectors/",
    "/changes/",
    "/api/threats.json",
    "/api/incidents.json?page_size=20",
    f"/api/glossary/{TERM_SLUG}.json",
]


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: list[tuple[float, int]] = field(default_factory=list)  # (start, version)
    published: list[tuple[float, int]] = field(default_factory=list)  # (done, version)


def say(*parts: str, flush: bool = True) -> None:
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUST_PROXY_HEADERS": "1",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": CACHE_PREFIX,
        "STATIC_ROOT": str(ROOT / ".venv" / "load-static"),
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **extra,
    }


def prepare() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    for args in (["migrate", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env(), check=True
        )
    collectstatic(env())


def check(path: str, status: int, body: bytes, started: float, results: Results):
    if status != 200:
        return f"{path}: HTTP {status}"
    if path.startswith("/api/"):
        try:
            json.loads(body)
        except ValueError:
            return f"{path}: incomplete JSON ({len(body)} bytes)"
        return None
    text = body.decode("utf-8", "replace")
    if not text.rstrip().endswith("</html>"):
        return f"{path}: incomplete page ({len(body)} bytes)"
    versions = {int(v) for v in VERSION.findall(text)}
    if len(versions) > 1:
        return f"{path}: mixed versions {sorted(versions)} on one page"
    if path == f"/glossary/{TERM_SLUG}/":
        with results.lock:
            results.seen.append((started, versions.pop() if versions else 0))
    return None


def reader(deadline: float, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    while time.monotonic() < deadline:
        path = rng.choice(READER_PATHS)
        started = time.monotonic()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            problem = f"{path}: {error!r}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        else:
            problem = check(path, status, body, started, results)
        with results.lock:
            results.latencies.append(time.monotonic() - started)
            if problem:
                results.errors.append(problem)


def editor(deadline: float, results: Results) -> None:
    os.environ.update(env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from editorial import services
    from editorial.roles import AUTHOR, REVIEWER, sync_roles
    from glossary.models import Term

    sync_roles()
    User = get_user_model()
    author, _ = User.objects.get_or_create(username="load-author", is_staff=True)
    reviewer, _ = User.objects.get_or_create(username="load-reviewer", is_staff=True)
    author.groups.add(*django.contrib.auth.models.Group.objects.filter(name=AUTHOR))
    reviewer.groups.add(*django.contrib.auth.models.Group.objects.filter(name=REVIEWER))
    number = 0
    while time.monotonic() < deadline - 1:
        number += 1
        term = Term.objects.get(slug=TERM_SLUG)

        def rewrite(entry, number=number):
            entry.summary = f"Load version {number}: a dual-use summary."
            entry.definition = f"Load version {number} of the definition."
            entry.save()

        services.edit(term, by=author, apply=rewrite, summary=f"Load {number}")
        services.submit(term, by=author)
        services.approve(term, by=reviewer)
        with results.lock:
            results.published.append((time.monotonic(), number))
        time.sleep(0.5)


def stale_reads(results: Results) -> list[str]:
    problems = []
    for started, version in results.seen:
        done_before = [n for done, n in results.published if done < started]
        if done_before and version < max(done_before):
            problems.append(
                f"stale read: version {version} after {max(done_before)} was published"
            )
    return problems


def main() -> None:
    say(f"Preparing {DATABASE} with the demo data…", flush=True)
    prepare()
    server = subprocess.Popen(
        [*gunicorn_command(f"127.0.0.1:{PORT}", 5), "--log-level", "warning"],
        cwd=ROOT,
        env=env(),
    )
    try:
        time.sleep(3)
        results = Results()
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=reader, args=(deadline, results, n), daemon=True)
            for n in range(CLIENTS)
        ]
        threads.append(threading.Thread(target=editor, args=(deadline, results)))
        say(f"{CLIENTS} readers for {SECONDS} s while an editor publishes…")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    problems = results.errors + stale_reads(results)
    latencies = sorted(results.latencies)
    total = len(latencies)
    say(f"requests: {total}, {total / SECONDS:.0f} req/s")
    if latencies:
        p95 = latencies[int(0.95 * (total - 1))]
        say(f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p95 {p95 * 1000:.1f} ms")  # fmt: skip
    say(f"publishes: {len(results.published)}; term pages checked: "
          f"{len(results.seen)}")  # fmt: skip
    say(f"errors: {len(problems)}")
    for problem in problems[:20]:
        say(f"  {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
