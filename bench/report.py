"""Render the benchmark results as markdown for bench/RESULTS.md."""

from pathlib import Path

KEEP_MARKER = (
    "<!-- Everything below this line is kept when the benchmark rewrites the file. -->"
)


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _few(row: dict) -> str:
    samples = row.get("samples", 100)
    return f" ({samples} requests only)" if samples < 20 else ""


def _pages_table(rows: list[dict], probe: dict, static_rps: float, cached: bool) -> str:
    queries = {p["name"]: p for p in probe["pages"]}
    lines = [
        "| page | bytes | SQL queries | p50 ms (c=1) | p95 ms (c=1) | req/s (c=1) "
        "| req/s (c=N) | p95 ms (c=N) | × static | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        info = queries.get(row["name"], {})
        count = info.get("queries_cached" if cached else "queries", "–")
        lines.append(
            f"| {row['name']}{_few(row)} | {row['bytes']} | {count} "
            f"| {_ms(row['p50_ms'])} "
            f"| {_ms(row['p95_ms'])} | {row['rps_1']:.0f} | {row['rps']:.0f} "
            f"| {_ms(row['p95_loaded_ms'])} | {row['rps'] / static_rps:.2f} "
            f"| {row['errors']} |"
        )
    return "\n".join(lines)


def _saves_table(saves: list[dict]) -> str:
    lines = [
        "| save | runs | POST p50 ms | POST p95 ms | with redirect p50 ms "
        "| with redirect p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in saves:
        lines.append(
            f"| {row['name']} | {row['runs']} | {_ms(row['post_p50_ms'])} "
            f"| {_ms(row['post_p95_ms'])} | {_ms(row['p50_ms'])} "
            f"| {_ms(row['p95_ms'])} |"
        )
    return "\n".join(lines)


def _targets(run, targets_ms: dict, ratio_target: float, save_ms=None) -> str:
    lines = ["| target | measured | result |", "|---|---:|---|"]
    cached = run.passes.get("cached", [])
    static = cached[0]["rps"] if cached else 0
    for row in cached[1:]:
        ratio = row["rps"] / static if static else 0
        verdict = "pass" if ratio >= ratio_target else "**miss**"
        lines.append(
            f"| cached {row['name']}: throughput ≥ {ratio_target}× static "
            f"| {ratio:.2f}× | {verdict} |"
        )
    uncached = {row["name"]: row for row in run.passes.get("uncached", [])}
    for name, limit in targets_ms.items():
        row = uncached.get(name)
        if row is None:
            continue
        verdict = "pass" if row["p95_ms"] < limit else "**miss**"
        measured = f"{_ms(row['p95_ms'])} ms"
        lines.append(f"| uncached {name}: p95 < {limit} ms | {measured} | {verdict} |")
    for row in run.probe.get("saves", []) if save_ms else []:
        verdict = "pass" if row["p95_ms"] < save_ms else "**miss**"
        lines.append(
            f"| {row['name']} with its redirect: p95 < {save_ms} ms "
            f"| {_ms(row['p95_ms'])} ms | {verdict} |"
        )
    return "\n".join(lines)


def render(run, targets_ms: dict, ratio_target: float, save_ms=None) -> str:
    config, machine, probe = run.config, run.machine, run.probe
    counts = probe["counts"]
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); rerun it to refresh this file. "
        "Latency columns at c=1 are one connection (service time, what the p95 "
        "targets are about); c=N columns are "
        f"{config.connections} concurrent connections against {config.workers} "
        "gunicorn sync workers (throughput). × static is req/s at c=N divided by "
        "the req/s of a static file of the term page's size served by whitenoise "
        "in the same server (measured at the start and at the end of each pass, "
        "the faster run kept). SQL queries are counted in a separate process with "
        "Django's test client (cached column: second request with the page "
        "cache on).",
        "",
        "## Machine and run",
        "",
        f"- CPU: {machine['cpu']}, {machine['cores']} cores; "
        f"RAM {machine['ram_gib']} GiB; kernel {machine['kernel']}",
        f"- Python {machine['python']}, PostgreSQL {machine['postgres']}, "
        f"{machine['gunicorn']}, {machine['wrk']}",
        "- PostgreSQL, Redis, gunicorn and wrk all on this machine, over loopback",
        f"- Code measured: {config.commit}",
        f"- Load average (1/5/15 min) at start {run.load.get('start')}, "
        f"at end {run.load.get('end')}: the machine is shared, so other work ran "
        "beside the benchmark",
        f"- {config.duration} s per measurement after a warm-up (3 requests per "
        "worker, then 2 s of wrk); "
        f"{config.workers} workers; DEBUG=0, production settings; cache: "
        "Redis (`CACHE_URL`), uncached pass with `PUBLIC_PAGE_CACHE=0`",
        "",
        "## Corpus",
        "",
        f"- {counts['incidents']} published incidents, {counts['terms']} terms, "
        f"{counts['patterns']} patterns; {counts['revisions']} revisions, "
        f"{counts['versions']} reversion versions; database "
        f"{probe['database_bytes'] / 2**30:.2f} GiB",
    ]
    if run.generator_seconds is not None:
        out.append(
            f"- `generate_corpus --incidents {config.incidents} --terms "
            f"{config.terms} --revisions {config.revisions} --seed {config.seed}`: "
            f"{run.generator_seconds:.0f} s (including Django start-up)"
        )
    else:
        out.append("- corpus reused from an earlier run (BENCH_REUSE_DB=1)")
    for label in ("cached", "uncached"):
        rows = run.passes.get(label)
        if not rows:
            continue
        static = rows[0]["rps"]
        rss = run.rss.get(label, [])
        out += [
            "",
            f"## {label.capitalize()} pass",
            "",
            _pages_table(rows, probe, static, cached=label == "cached"),
            "",
            f"RSS of the {len(rss)} gunicorn workers after the pass: "
            + (
                f"max {max(rss):.0f} MiB, mean {sum(rss) / len(rss):.0f} MiB"
                if rss
                else "n/a"
            ),
        ]
    if probe.get("saves"):
        out += [
            "",
            "## Saves through the admin change form",
            "",
            "Server time in the probe process (Django test client, production "
            "settings, no network): a POST that records a pending change of a "
            "published entry, then the GET of the form it redirects to.",
            "",
            _saves_table(probe["saves"]),
        ]
    out += [
        "",
        "## Targets",
        "",
        _targets(run, targets_ms, ratio_target, save_ms),
        "",
        "## Pages",
        "",
        "| page | path |",
        "|---|---|",
        *(f"| {p['name']} | `{p['path']}` |" for p in probe["pages"]),
        "",
        "## Slowest SQL query per page (uncached, warm process)",
        "",
    ]
    for page in probe["pages"]:
        if "slowest_ms" not in page:
            continue
        sql = page["slowest_sql"]
        sql = sql if len(sql) <= 300 else sql[:300] + "…"
        out.append(
            f"- **{page['name']}**: {page['queries']} queries, {page['sql_ms']} ms of "
            f"SQL in all; slowest {page['slowest_ms']} ms: `{sql}`"
        )
        if page.get("slowest_plan"):
            out += [
                "",
                "  ```",
                *("  " + line for line in page["slowest_plan"].splitlines()[:40]),
                "  ```",
            ]
    return "\n".join(out) + "\n"


def write(path: Path, text: str) -> None:
    """Write the results, keeping whatever follows the marker in the old file."""
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if KEEP_MARKER in old:
            kept = old.split(KEEP_MARKER, 1)[1]
    path.write_text(f"{text}\n{KEEP_MARKER}{kept or chr(10)}", encoding="utf-8")
