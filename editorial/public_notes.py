"""The note readers see for a published change, apart from editors' own notes.

An editor's save summary ("Linked Deepfake") is written for colleagues and
stays in the admin's history. Each published change gets a public note: the
reviewer's words, or by default "First published" or the changed fields in
plain words ("Updated the definition and the related terms").
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models

FIRST_PUBLISHED = "First published"
UPDATED = "Updated"
MAX_LENGTH = 300


def field_words(model: type[models.Model], names: list[str]) -> list[str]:
    """Return each changed field's name as a reader would say it."""
    words = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            label = name  # an owned list, already named in words ("sources")
        else:
            verbose = getattr(field, "verbose_name", None)
            if verbose is None:  # an owned list by its relation ("sources")
                verbose = field.related_model._meta.verbose_name_plural
            label = str(verbose)
        label = label.replace("_", " ")
        # Lower-case the first letter unless it starts an acronym ("AI").
        if label[:1].isupper() and not label[1:2].isupper():
            label = label[:1].lower() + label[1:]
        if label not in words:
            words.append(label)
    return words


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def default_note(model: type[models.Model], changed: list[str], *, first: bool) -> str:
    """Return the public note of a change that has none of its own."""
    if first:
        return FIRST_PUBLISHED
    words = field_words(model, changed)
    if not words:
        return UPDATED
    if len(words) > 4:
        return f"Updated the {join_words(words[:3])} and {len(words) - 3} more fields"
    note = f"Updated the {join_words(words)}"
    return note if len(note) <= MAX_LENGTH else UPDATED


def shown(meta) -> str:
    """Return the note to show readers for a published revision's meta."""
    return meta.public_note or UPDATED
