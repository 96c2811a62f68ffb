"""Serve the site with gunicorn in production settings (`make serve`).

Reads DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and CACHE_URL from the
environment like the settings do; DEBUG is forced off. Static files are
collected first (the manifest storage needs them). BIND (default
127.0.0.1:8020) and WEB_CONCURRENCY (gunicorn's worker count, default
2 x cores + 1) choose where and how wide it serves.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_BIND = "127.0.0.1:8020"


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def production_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment of a production process, DEBUG off."""
    env = {**os.environ, "DEBUG": "0", **(overrides or {})}
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    return env


def gunicorn_command(bind: str, workers: int) -> list[str]:
    return [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
    ]


def collectstatic(env: dict[str, str], root: Path = ROOT) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=root,
        env=env,
        check=True,
    )


def main() -> None:
    missing = [
        name for name in ("DATABASE_URL", "SECRET_KEY") if not os.environ.get(name)
    ]
    if missing:
        sys.exit(f"make serve needs {' and '.join(missing)} in the environment.")
    env = production_env()
    collectstatic(env)
    bind = os.environ.get("BIND", DEFAULT_BIND)
    workers = int(os.environ.get("WEB_CONCURRENCY", default_workers()))
    sys.stdout.write(f"Serving on http://{bind}/ with {workers} workers (DEBUG off)\n")
    sys.stdout.flush()
    os.chdir(ROOT)
    command = gunicorn_command(bind, workers)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
