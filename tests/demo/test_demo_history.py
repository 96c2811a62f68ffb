"""The demo data reads as a believable publication history.

Every entry was first published no later than it was last updated, and the
public changelog dates each publication on its own day with a note for
readers, not the day the demo was loaded.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import modify_settings
from django.utils import timezone

from editorial.changelog import editorial_models, published_changes

from .test_load_demo import EDITORIAL_MODELS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        modify_settings(INSTALLED_APPS={"append": "demo"}),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("model", EDITORIAL_MODELS, ids=lambda m: m.__name__)
def test_every_demo_entry_was_first_published_before_it_was_last_updated(loaded, model):
    entries = list(model.objects.all())
    assert entries
    for entry in entries:
        first = timezone.localdate(entry.first_published)
        assert first <= entry.last_updated, (entry, first, entry.last_updated)


def test_the_changelog_dates_each_publication_on_its_own_day(loaded):
    today = timezone.localdate()
    changes = list(published_changes().select_related("revision"))
    assert len(changes) == sum(
        model.objects.published().count() for model in editorial_models()
    )
    days = {timezone.localdate(meta.revision.date_created) for meta in changes}
    assert today not in days
    assert len(days) > 100  # months of work, not one load
    assert {meta.revision.get_comment() for meta in changes} == {"First published"}
    for meta in changes[:50]:
        entry = meta.content_type.get_object_for_this_type(pk=meta.object_id)
        published_on = timezone.localdate(meta.revision.date_created)
        assert published_on == timezone.localdate(entry.first_published)
        assert published_on <= entry.last_updated


def test_the_changelog_page_shows_no_load_day(loaded, client):
    html = client.get("/changes/").content.decode()
    assert "Demo data" not in html
    assert timezone.localdate().isoformat() not in html
    assert datetime.date(2026, 9, 18).isoformat() in html  # the newest demo date
