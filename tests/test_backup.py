"""Backup and restore as operators do it: pg_dump, pg_restore, and the site works."""

import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from editorial import services
from editorial.roles import AUTHOR, REVIEWER
from tests.factories import add_source, make_incident, make_term, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _counts(conninfo: str) -> dict[str, int]:
    tables = [
        "glossary_term",
        "incidents_incident",
        "incidents_incidentsource",
        "reversion_revision",
        "reversion_version",
        "editorial_change",
        "editorial_auditevent",
    ]
    with psycopg.connect(conninfo) as db:
        return {
            t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables
        }


def test_pg_dump_and_restore_keep_content_history_and_pending_changes(tmp_path):
    author, reviewer = make_user(role=AUTHOR), make_user(role=REVIEWER)
    incident = make_incident(narrative="See [1].")
    add_source(incident)
    term = make_term(definition="Published text.")

    def rewrite(entry):
        entry.definition = "Pending text."
        entry.save()

    services.edit(term, by=author, apply=rewrite)  # a pending change, kept apart
    services.publish(incident, by=reviewer)

    db = connection.settings_dict
    source = (
        f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"
    )
    target_name = f"tw_restore_{uuid.uuid4().hex[:8]}"
    target = source.replace(f"dbname={db['NAME']}", f"dbname={target_name}")
    dump = tmp_path / "threatwatch.dump"
    common = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    subprocess.run(["pg_dump", *common, "-Fc", "-f", str(dump), db["NAME"]], check=True)
    subprocess.run(["createdb", *common, target_name], check=True)
    try:
        subprocess.run(
            ["pg_restore", *common, "--no-owner", "-d", target_name, str(dump)],
            check=True,
        )
        assert _counts(target) == _counts(source)
        with psycopg.connect(target) as restored:
            definition = restored.execute(
                "select definition from glossary_term where id = %s", [term.pk]
            ).fetchone()[0]
        assert definition == "Published text."  # the live row, pending kept apart
    finally:
        subprocess.run(["dropdb", *common, "--if-exists", target_name], check=True)
