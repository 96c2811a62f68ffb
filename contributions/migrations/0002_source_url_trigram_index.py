# Duplicate hints look up incident sources by part of their URL; on PostgreSQL a
# trigram index serves that ILIKE. SQLite (the quick start) does without.

from django.db import migrations

INDEX = "incidents_incidentsource_url_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON incidents_incidentsource USING gin (url gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0001_initial"),
        ("incidents", "0002_search_and_retired_slugs"),
    ]

    operations = [migrations.RunPython(create, drop)]
