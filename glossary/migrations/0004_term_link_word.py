from django.db import migrations, models

from glossary.words import first_word


def fill_link_words(apps, schema_editor):
    Term = apps.get_model("glossary", "Term")
    batch = []
    for term in Term.objects.only("pk", "term").iterator(chunk_size=2000):
        term.link_word = first_word(term.term)
        batch.append(term)
        if len(batch) == 2000:
            Term.objects.bulk_update(batch, ["link_word"])
            batch = []
    Term.objects.bulk_update(batch, ["link_word"])


class Migration(migrations.Migration):
    dependencies = [
        ("glossary", "0003_term_heading_index"),
        ("incidents", "0004_severity_rank_and_facet_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="term",
            name="link_word",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=120, serialize=False
            ),
        ),
        migrations.RunPython(fill_link_words, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="term",
            index=models.Index(
                condition=models.Q(("state", "published")),
                fields=["link_word"],
                include=("term", "slug"),
                name="term_published_link_word",
            ),
        ),
    ]
