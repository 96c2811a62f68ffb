"""The benchmark (`make bench`): a fresh database, a big corpus, gunicorn, wrk.

Steps: create the database BENCH_DATABASE_URL (dropped first), migrate, load
the demo taxonomy, generate the corpus, collect static files, count each page's
SQL queries in a separate process (bench/probe.py), write a static file as big
as the term page, then serve the site with gunicorn in production settings and
load it with wrk over loopback, twice: with the public page cache (Redis) and
without it. Prints the results and writes them to bench/RESULTS.md.

Environment (all optional): BENCH_INCIDENTS (100000), BENCH_TERMS (10000),
BENCH_REVISIONS (2), BENCH_SEED (1), BENCH_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/tw_bench), BENCH_CACHE_URL
(redis://127.0.0.1:6379/0), BENCH_PORT (8021), BENCH_WORKERS (2 x cores + 1),
BENCH_CONNECTIONS (8), BENCH_DURATION (seconds per measurement, 10),
BENCH_REUSE_DB=1 (keep the database and corpus of the previous run),
BENCH_REF (HEAD: the commit measured, exported with git archive so that
uncommitted edits in the work tree cannot break or skew the run; "worktree"
measures the work tree as it is), BENCH_STATIC_ROOT (/tmp/tw_bench_static),
BENCH_RAW (/tmp/tw_bench_results.json: every number of the run as JSON).
"""

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report  # noqa: E402
from bench.serve import ROOT, collectstatic, default_workers, gunicorn_command  # noqa: E402

BENCH = ROOT / "bench"
LUA = BENCH / "wrk" / "report.lua"
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/tw_bench_static"))
STATIC_NAME = "bench/term-size.html"
STATIC_PAGE = {"name": "static file (whitenoise)", "path": f"/static/{STATIC_NAME}"}
TARGETS_P95_MS = {
    "term": 50,
    "incident": 50,
    "pattern": 50,
    "incident list (3 filters + facets)": 150,
    "search": 100,
    "admin incident list": 300,
    "admin history (500 rev.)": 300,
    "admin term change form": 100,
    "admin incident change form": 100,
}
#: A save through the admin change form with its redirect back (server time).
SAVE_TARGET_MS = 200
CACHED_RATIO_TARGET = 0.5


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Config:
    incidents: int = env_int("BENCH_INCIDENTS", 100_000)
    terms: int = env_int("BENCH_TERMS", 10_000)
    revisions: int = env_int("BENCH_REVISIONS", 2)
    seed: int = env_int("BENCH_SEED", 1)
    database_url: str = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tw_bench"
    )
    cache_url: str = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0")
    port: int = env_int("BENCH_PORT", 8021)
    workers: int = env_int("BENCH_WORKERS", default_workers())
    connections: int = env_int("BENCH_CONNECTIONS", 8)
    duration: int = env_int("BENCH_DURATION", 10)
    reuse_db: bool = os.environ.get("BENCH_REUSE_DB") == "1"
    ref: str = os.environ.get("BENCH_REF", "HEAD")
    source: Path = ROOT  # the tree that is served and measured
    commit: str = ""


@dataclass
class Run:
    config: Config
    machine: dict = field(default_factory=dict)
    generator_seconds: float | None = None
    generator_log: str = ""
    probe: dict = field(default_factory=dict)
    passes: dict = field(default_factory=dict)  # "cached"/"uncached" -> rows
    rss: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)


def say(message: str) -> None:
    out(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def app_env(config: Config, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": config.database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUST_PROXY_HEADERS": "1",  # as behind a TLS proxy: X-Forwarded-Proto
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": str(STATIC_ROOT),
        **extra,
    }


def manage(config: Config, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=config.source,
        env=app_env(config),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def admin_connection(config: Config) -> psycopg.Connection:
    parts = urlsplit(config.database_url)
    url = parts._replace(path="/postgres").geturl()
    return psycopg.connect(url, autocommit=True)


def create_database(config: Config) -> None:
    name = urlsplit(config.database_url).path.lstrip("/")
    if not name.startswith(("tw_", "bench")):
        sys.exit(f"Refusing to drop {name!r}: use a tw_* or bench* database.")
    with admin_connection(config) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(run: Run) -> None:
    config = run.config
    if config.reuse_db:
        say("reusing the database of the previous run (BENCH_REUSE_DB=1)")
        return
    say(f"creating {config.database_url}")
    create_database(config)
    manage(config, "migrate", "--no-input", "-v0")
    commands = manage(config, "help", "--commands", capture=True).split()
    if "load_demo" in commands:
        say("loading the demo taxonomy (load_demo)")
        manage(config, "load_demo")
    say(f"generating {config.incidents} incidents and {config.terms} terms")
    started = time.monotonic()
    run.generator_log = manage(
        config,
        "generate_corpus",
        f"--incidents={config.incidents}",
        f"--terms={config.terms}",
        f"--revisions={config.revisions}",
        f"--seed={config.seed}",
        capture=True,
    )
    run.generator_seconds = time.monotonic() - started
    out(run.generator_log)
    say(f"corpus generated in {run.generator_seconds:.0f}s; VACUUM ANALYZE")
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def export_source(config: Config) -> None:
    """Export the commit to measure into a folder of its own (or use the work tree)."""
    git = ["git", "-C", str(ROOT)]
    if config.ref == "worktree":
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        config.commit = f"work tree at {head.stdout.strip()} (with uncommitted edits)"
        return
    commit = subprocess.run(
        [*git, "rev-parse", "--short", config.ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = Path(f"/tmp/tw_bench_source/{commit}")
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.Popen(
            [*git, "archive", "--format=tar", commit], stdout=subprocess.PIPE
        )
        subprocess.run(
            ["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=True
        )
        archive.wait()
    config.source, config.commit = target, commit
    say(f"measuring commit {commit}, exported to {target}")


def write_static_file(size: int) -> Path:
    """Write a file as big as the term page into STATIC_ROOT (served by whitenoise)."""
    path = STATIC_ROOT / STATIC_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    line = b"<p>Static reference file for the benchmark, as big as the term page.</p>\n"
    body = (line * (size // len(line) + 1))[:size]
    path.write_bytes(body)
    return path


def machine_facts(config: Config) -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    with psycopg.connect(config.database_url) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    gunicorn = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--version"],
        capture_output=True,
        text=True,
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgres": postgres,
        "wrk": (wrk.stdout + wrk.stderr).splitlines()[0].strip(),
        "gunicorn": gunicorn.stdout.strip(),
        "kernel": platform.release(),
    }


class Server:
    """A gunicorn master and its workers, started and stopped by pid."""

    def __init__(self, config: Config, env: dict[str, str]) -> None:
        self.config = config
        self.base = f"http://127.0.0.1:{config.port}"
        command = gunicorn_command(f"127.0.0.1:{config.port}", config.workers)
        self.process = subprocess.Popen(command, cwd=config.source, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(self.base + STATIC_PAGE["path"])
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not come up within 60 seconds")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def rss_mib(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def fetch(url: str, cookie: str = "") -> tuple[int, int]:
    request = urllib.request.Request(
        url, headers={"X-Forwarded-Proto": "https", "Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, len(response.read())


def warm_up(url: str, cookie: str, workers: int) -> None:
    """Have every worker serve the page a few times (first requests build caches)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda _: fetch(url, cookie), range(3 * workers)))
    wrk(url, workers, 2, cookie)


def timed_fetch(url: str, cookie: str) -> float:
    """Return the milliseconds one request takes."""
    started = time.monotonic()
    fetch(url, cookie)
    return (time.monotonic() - started) * 1000


def wrk(url: str, connections: int, seconds: int, cookie: str) -> dict:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        "-H",
        "X-Forwarded-Proto: https",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    for line in output.stdout.splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            return data
    raise RuntimeError(f"wrk printed no report for {url}:\n{output.stdout}")


def measure(server: Server, pages: list[dict], config: Config, cookie: str) -> list:
    rows = []
    for page in pages:
        url = server.base + page["path"]
        page_cookie = cookie if page.get("admin") else ""
        status, size = fetch(url, page_cookie)
        if status != 200:
            raise RuntimeError(f"{page['name']}: {url} answered {status}")
        warm_up(url, page_cookie, config.workers)
        single = wrk(url, 1, config.duration, page_cookie)
        loaded = wrk(url, config.connections, config.duration, page_cookie)
        row = {
            "name": page["name"],
            "path": page["path"],
            "bytes": size,
            "p50_ms": single["p50_us"] / 1000,
            "p95_ms": single["p95_us"] / 1000,
            "samples": single["requests"],
            "rps_1": single["rps"],
            "rps": loaded["rps"],
            "p50_loaded_ms": loaded["p50_us"] / 1000,
            "p95_loaded_ms": loaded["p95_us"] / 1000,
            "errors": single["non2xx"] + loaded["non2xx"] + loaded["errors"],
        }
        if single["requests"] < 3:
            # Too slow for wrk to gather a distribution: time a few requests alone.
            times = sorted(timed_fetch(url, page_cookie) for _ in range(3))
            row.update(p50_ms=times[1], p95_ms=times[2], samples=len(times))
        if loaded["requests"] == 0:
            row.update(p50_loaded_ms=float("nan"), p95_loaded_ms=float("nan"))
        rows.append(row)
        say(
            f"  {page['name']:38} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f}"
            f" ms  {row['rps']:8.1f} req/s (c={config.connections})"
        )
    return rows


def serve_and_measure(run: Run, label: str, extra_env: dict, pages: list) -> None:
    config = run.config
    say(f"{label} pass: gunicorn with {config.workers} workers on :{config.port}")
    server = Server(config, app_env(config, **extra_env))
    try:
        rows = measure(server, pages, config, run.probe["cookie"])
        # The static reference is measured again at the end of the pass and the
        # faster of the two kept, so a slow start cannot flatter the ratios.
        first = rows[0]
        again = measure(server, [pages[0]], config, run.probe["cookie"])[0]
        rows[0] = {
            **max(first, again, key=lambda row: row["rps"]),
            "rps_runs": [round(first["rps"]), round(again["rps"])],
        }
        run.passes[label] = rows
        run.rss[label] = server.rss_mib()
    finally:
        server.stop()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def ensure_wrk() -> None:
    """Install the load generator with apt-get when the machine lacks it."""
    if shutil.which("wrk"):
        return
    apt = shutil.which("apt-get")
    if apt is None:
        sys.exit("wrk is missing and apt-get is not available to install it.")
    say("wrk is missing: installing it with apt-get")
    subprocess.run([apt, "update", "-q"], check=False, capture_output=True)
    subprocess.run([apt, "install", "-y", "-q", "wrk"], check=False)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing and could not be installed: apt-get install -y wrk")


def main() -> None:
    ensure_wrk()
    config = Config()
    export_source(config)
    run = Run(config=config)
    run.load["start"] = load_average()
    prepare(run)
    run.machine = machine_facts(config)
    collectstatic(app_env(config), config.source)
    say("counting SQL queries per page (bench/probe.py)")
    probe = subprocess.run(
        [sys.executable, str(config.source / "bench" / "probe.py")],
        cwd=config.source,
        env=app_env(config, PUBLIC_PAGE_CACHE="0"),
        check=True,
        capture_output=True,
        text=True,
    )
    run.probe = json.loads(probe.stdout)
    term = next(p for p in run.probe["pages"] if p["name"] == "term")
    write_static_file(term["bytes"])
    public = [p for p in run.probe["pages"] if not p.get("admin")]
    admin = [p for p in run.probe["pages"] if p.get("admin")]
    prefix = f"twbench-{os.getpid()}-{int(time.time())}"
    serve_and_measure(
        run,
        "cached",
        {"CACHE_URL": config.cache_url, "CACHE_KEY_PREFIX": prefix},
        [STATIC_PAGE, *public],
    )
    serve_and_measure(
        run,
        "uncached",
        {
            "CACHE_URL": config.cache_url,
            "CACHE_KEY_PREFIX": prefix + "-off",
            "PUBLIC_PAGE_CACHE": "0",
        },
        [STATIC_PAGE, *public, *admin],
    )
    run.load["end"] = load_average()
    text = report.render(run, TARGETS_P95_MS, CACHED_RATIO_TARGET, SAVE_TARGET_MS)
    report.write(BENCH / "RESULTS.md", text)
    raw = Path(os.environ.get("BENCH_RAW", "/tmp/tw_bench_results.json"))
    raw.write_text(
        json.dumps(
            {
                "machine": run.machine,
                "probe": run.probe,
                "passes": run.passes,
                "rss": run.rss,
                "load": run.load,
                "generator_seconds": run.generator_seconds,
            },
            indent=1,
        )
    )
    out(text)
    say("results written to bench/RESULTS.md")


if __name__ == "__main__":
    main()
