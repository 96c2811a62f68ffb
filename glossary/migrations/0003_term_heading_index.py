from django.db import migrations

# PostgreSQL only, like the other search indexes (see 0002). The expression is
# exactly the one overview.search.heading_vector() compiles to for a term, so
# that searches find the terms whose heading matches without reading their
# stored vectors; tests/overview/test_search.py checks that the index is used.
CREATE = """
CREATE INDEX IF NOT EXISTS glossary_term_heading_gin ON glossary_term
USING gin ((to_tsvector('english'::regconfig,
    COALESCE("term", '') || ' ' || COALESCE("summary", ''))))
WHERE "state" = 'published'
"""


def create_heading_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_heading_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS glossary_term_heading_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("glossary", "0002_search_vector"),
    ]

    operations = [
        migrations.RunPython(create_heading_index, drop_heading_index),
    ]
