from django.db import migrations

# PostgreSQL only, like the other search indexes (see 0002). The expression is
# exactly the one overview.search.heading_vector() compiles to for an incident,
# so that searches find the incidents whose title or summary matches without
# reading their stored vectors; tests/overview/test_search.py checks that the
# planner sees the same expression.
CREATE = """
CREATE INDEX IF NOT EXISTS incident_published_heading_gin ON incidents_incident
USING gin ((to_tsvector('english'::regconfig,
    COALESCE("title", '') || ' ' || COALESCE("summary", ''))))
WHERE "state" = 'published'
"""


def create_heading_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_heading_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS incident_published_heading_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_severity_rank_and_facet_indexes"),
    ]

    operations = [
        migrations.RunPython(create_heading_index, drop_heading_index),
    ]
