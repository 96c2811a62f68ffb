"""`make run` serves on the port it is given, and the README names both addresses."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned_run(*args: str) -> str:
    """What `make run` would do, without doing it (make -n)."""
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_make_run_serves_on_port_8000_unless_told_otherwise():
    assert re.search(r"rundev 127\.0\.0\.1:8000\b", planned_run())
    assert re.search(r"rundev 127\.0\.0\.1:8123\b", planned_run("PORT=8123"))


def test_readme_names_the_public_site_and_the_admin():
    readme = (ROOT / "README.md").read_text()
    assert "http://127.0.0.1:8000/ " in readme or "http://127.0.0.1:8000/\n" in readme
    assert "http://127.0.0.1:8000/admin/" in readme
    assert "make run PORT=" in readme
