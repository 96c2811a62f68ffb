from django.db import migrations

# The incidents naming a pattern as secondary, read from the index alone: the
# pattern page's figures and top five need (pattern, incident) pairs. The table
# is Django's own many-to-many table, so the index is plain SQL (any database).
CREATE = (
    "CREATE INDEX IF NOT EXISTS incident_secondary_by_pattern "
    "ON incidents_incident_secondary_patterns (threatpattern_id, incident_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_incident_heading_index"),
    ]

    operations = [
        migrations.RunSQL(
            CREATE, "DROP INDEX IF EXISTS incident_secondary_by_pattern"
        ),
    ]
