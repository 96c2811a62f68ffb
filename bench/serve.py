"""Serve the site with gunicorn in production settings (`make serve`).

Reads DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and CACHE_URL from the
environment like the settings do; DEBUG is forced off. Static files are
collected first (the manifest storage needs them). BIND (default
127.0.0.1:8020) and WEB_CONCURRENCY (gunicorn's worker count, default
2 x cores + 1) choose where and how wide it serves.

With VARNISH=1 (`make serve VARNISH=1`), Varnish (deploy/varnish/default.vcl,
installed with apt-get when missing) listens on VARNISH_BIND (default
127.0.0.1:6081) in front of gunicorn, which purges it by tag after each write.
"""

import os
import signal
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
    if os.environ.get("VARNISH", "") not in ("", "0"):
        serve_behind_varnish(command, env, bind)
        return
    os.execve(command[0], command, env)


def serve_behind_varnish(command: list[str], env: dict[str, str], bind: str) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.varnish import Varnish

    host, port = os.environ.get("VARNISH_BIND", "127.0.0.1:6081").rsplit(":", 1)
    front = f"http://{host}:{port}"
    env = {**env, "FRONTEND_CACHE_URLS": front + "/", "CACHE_TAGS_HEADER": "xkey"}
    app = subprocess.Popen(command, env=env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # clean up on TERM too
    backend_host, backend_port = bind.rsplit(":", 1)
    proxy = Varnish(int(backend_port), backend_host=backend_host, port=int(port))
    try:
        proxy.start()
        sys.stdout.write(f"Varnish on {front}/ in front of http://{bind}/\n")
        sys.stdout.flush()
        app.wait()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        if app.poll() is None:
            app.terminate()
            app.wait()


if __name__ == "__main__":
    main()
