"""Give every stored published revision a public note.

Until now the changelog showed the revision's comment, which is the editor's own
save note ("Linked Deepfake"). A first publication now reads "First published";
a later one names the fields that changed since the previous publication.
The audit event of a first publication no longer lists every field as changed.
"""

import json

from django.db import migrations

from editorial.public_notes import default_note

IGNORED = {
    "state",
    "created_at",
    "updated_at",
    "first_published",
    "last_updated",
    "last_reviewed",
    "expires_at",
    "version",
}


def _content(versions) -> dict:
    out = {}
    for version in versions:
        try:
            fields = json.loads(version.serialized_data)[0]["fields"]
        except (ValueError, KeyError, IndexError):
            fields = {}
        out[(version.content_type_id, version.object_id)] = {
            name: sorted(value) if isinstance(value, list) else value
            for name, value in fields.items()
            if name not in IGNORED
        }
    return out


def _changed(apps, key, before: dict, after: dict) -> list[str]:
    old, new = dict(before), dict(after)
    old_entry, new_entry = old.pop(key, {}), new.pop(key, {})
    names = [
        name
        for name in sorted(set(old_entry) | set(new_entry))
        if old_entry.get(name) != new_entry.get(name)
    ]
    content_type = apps.get_model("contenttypes", "ContentType")
    for type_id in sorted({t for t, _ in (*old, *new)}):
        mine_old = {k: v for k, v in old.items() if k[0] == type_id}
        mine_new = {k: v for k, v in new.items() if k[0] == type_id}
        if mine_old != mine_new:
            owned = content_type.objects.get(pk=type_id)
            try:
                model = apps.get_model(owned.app_label, owned.model)
                names.append(str(model._meta.verbose_name_plural))
            except LookupError:
                names.append(owned.model)
    return names


def forwards(apps, schema_editor):
    meta_model = apps.get_model("editorial", "RevisionMeta")
    version_model = apps.get_model("reversion", "Version")
    audit_event = apps.get_model("editorial", "AuditEvent")
    content_type = apps.get_model("contenttypes", "ContentType")
    metas = (
        meta_model.objects.filter(published=True, content_type__isnull=False)
        .select_related("revision")
        .order_by("content_type_id", "object_id", "revision__date_created", "pk")
    )
    previous_key, previous_content = None, None
    for meta in metas.iterator(chunk_size=500):
        key = (meta.content_type_id, str(meta.object_id))
        content = _content(version_model.objects.filter(revision_id=meta.revision_id))
        try:
            kind = content_type.objects.get(pk=meta.content_type_id)
            model = apps.get_model(kind.app_label, kind.model)
        except LookupError:
            model = None
        if key != previous_key:
            note = default_note(model, [], first=True)
            audit_event.objects.filter(
                revision_id=meta.revision_id, action="publish"
            ).update(changed_fields=[])
        elif model is None:
            note = "Updated"
        else:
            changed = _changed(apps, key, previous_content, content)
            note = default_note(model, changed, first=False)
        meta.public_note = note
        meta.save(update_fields=["public_note"])
        previous_key, previous_content = key, content


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0007_public_notes"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
