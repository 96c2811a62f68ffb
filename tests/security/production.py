"""Run a script in a separate process with production settings (DEBUG off)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Unreachable on purpose: what these scripts check must not need a database.
NO_DATABASE = "postgres://nobody@127.0.0.1:9/none"


def run_production(script: str, **settings: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-key-" + "z" * 40,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": NO_DATABASE,
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
