"""Development prints mail; production sends it to the server in the environment."""

import json
import subprocess
import sys

from tests.security.production import ROOT, run_production

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, "
    "s.EMAIL_HOST_USER, s.DEFAULT_FROM_EMAIL]))"
)


def test_production_reads_the_mail_server_from_the_environment():
    result = run_production(
        SHOW,
        ALLOWED_HOSTS="threatwatch.example.org",
        EMAIL_HOST="mail.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        EMAIL_HOST_USER="threatwatch",
        DEFAULT_FROM_EMAIL="Threatwatch <news@example.org>",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        587,
        True,
        "threatwatch",
        "Threatwatch <news@example.org>",
    ]


def test_development_prints_mail_to_the_console():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0] == (
        "django.core.mail.backends.console.EmailBackend"
    )
