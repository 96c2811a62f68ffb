"""The demo data loads completely, publishes every entry and loads only once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import modify_settings
from reversion.models import Revision, Version

from contributions.models import Submission
from demo import loader
from editorial.models import State
from glossary.models import Category, Term
from incidents import models as tax

ALLEGED = {"INC-20-0002", "INC-23-0007", "INC-23-0009", "INC-24-0005", "INC-24-0006"}
EDITORIAL_MODELS = [
    tax.Domain,
    tax.ThreatPattern,
    tax.Incident,
    Term,
    *loader.DIMENSIONS.values(),
]
ALL_MODELS = [
    *EDITORIAL_MODELS,
    tax.Framework,
    Category,
    tax.Organisation,
    Submission,
]


def load_demo() -> str:
    """Run the command and return what it printed."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load the demo once for this module, in a transaction rolled back after it.

    Each test runs in its own savepoint inside that transaction, as with
    Django's setUpTestData, so the eight-second load happens only once.
    "demo" is added to INSTALLED_APPS if the settings do not list it yet.
    """
    with (
        django_db_blocker.unblock(),
        modify_settings(INSTALLED_APPS={"append": "demo"}),
        transaction.atomic(),
    ):
        yield load_demo()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    """Return the number of rows of every model the demo touches."""
    models = [*ALL_MODELS, tax.IncidentSource, tax.IncidentEntity, Version, Revision]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_loads_the_whole_taxonomy(loaded):
    assert tax.Domain.objects.count() == 8
    assert tax.ThreatPattern.objects.count() >= 40
    assert tax.Incident.objects.count() == 32
    assert Term.objects.count() >= 40
    assert tax.AffectedGroup.objects.count() == 11
    assert tax.Sector.objects.count() >= 10
    assert tax.Region.objects.count() >= 8
    assert tax.ExposurePathway.objects.count() == 5
    assert tax.CausalFactor.objects.count() >= 15
    assert tax.Asset.objects.count() >= 12
    assert tax.HarmType.objects.count() == 7
    assert tax.Framework.objects.count() == 3
    assert Category.objects.count() == 6
    assert set(tax.Region.objects.values_list("slug", flat=True)) >= {
        "global",
        "north-america",
        "europe",
        "asia",
    }
    for domain in tax.Domain.objects.all():
        assert 4 <= domain.patterns.count() <= 9, domain.code
        assert domain.framework_mappings.count() == 3, domain.code


@pytest.mark.django_db
def test_prints_a_summary(loaded):
    assert loaded.startswith("Created 8 domains, ")
    assert "32 incidents" in loaded
    summary, built = loaded.strip().splitlines()
    assert summary.endswith("; 0 already present")
    assert built.startswith("Built the download files")


@pytest.mark.django_db
def test_dual_use_is_published_with_its_relations(loaded):
    term = Term.objects.get(slug="dual-use")

    assert term.state == State.PUBLISHED
    assert term.last_updated is not None
    assert term.related_incidents.filter(code="INC-21-0003").exists()
    assert term.related_patterns.filter(code="PAT-SYS-003").exists()
    assert term.related_domains.filter(code="DOM-SYS").exists()
    assert term.related_terms.filter(slug="red-teaming").exists()
    assert term.same_as.startswith("https://")
    revision = Version.objects.get_for_object(term).first()
    assert revision.revision.user.username == "demo-loader"
    assert set(revision.field_dict["related_incidents"]) == set(
        term.related_incidents.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_alleged_incidents_are_marked_alleged(loaded):
    alleged = tax.Incident.objects.filter(status=tax.Incident.Status.ALLEGED)

    assert set(alleged.values_list("code", flat=True)) == ALLEGED
    for incident in alleged:
        assert "alleg" in incident.narrative.lower(), incident.code


@pytest.mark.django_db
def test_incidents_are_complete_and_footnotes_resolve(loaded):
    for incident in tax.Incident.objects.all():
        sources = incident.sources.count()
        assert sources >= 1, incident.code
        assert incident.dangling_footnotes(sources) == [], incident.code
        assert "[1]" in incident.narrative, incident.code
        assert incident.entities.exists(), incident.code
        assert 1 <= incident.exposure_pathways.count() <= 2, incident.code
        assert incident.code[4:6] == incident.date_occurred[2:4], incident.code
        assert incident.terms.exists(), f"{incident.code} has no glossary term"


@pytest.mark.django_db
def test_every_entry_is_published_with_a_last_updated_date(loaded):
    for model in EDITORIAL_MODELS:
        entries = model.objects.all()
        assert entries.exists(), model.__name__
        assert not entries.exclude(state=State.PUBLISHED).exists(), model.__name__
        for entry in entries:
            assert entry.last_updated is not None, entry
            assert entry.last_updated.year == 2026, entry
            assert Version.objects.get_for_object(entry).exists(), entry


@pytest.mark.django_db
def test_the_loader_user_cannot_log_in(loaded):
    user = get_user_model().objects.get(username=loader.USERNAME)

    assert not user.is_active
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_a_second_run_creates_nothing(loaded):
    before = counts()

    output = load_demo()

    assert counts() == before
    assert output.startswith("Created nothing; ")
    entries = sum(before[model.__name__] for model in ALL_MODELS)
    assert output.strip().endswith(f"; {entries} already present")


@pytest.mark.django_db
def test_an_edited_entry_is_left_alone(loaded):
    tax.Domain.objects.filter(code="DOM-SEC").update(tagline="Edited by an editor")

    load_demo()

    assert tax.Domain.objects.get(code="DOM-SEC").tagline == "Edited by an editor"


@pytest.mark.django_db
def test_invalid_data_fails_with_the_entry_code(loaded, monkeypatch):
    read = loader.read

    def with_a_bad_incident(kind: str):
        data = read(kind)
        if kind == "incidents":
            bad = {**data[0], "code": "INC-19-0042", "slug": "new-but-misdated"}
            data = [*data, bad]
        return data

    monkeypatch.setattr(loader, "read", with_a_bad_incident)

    with pytest.raises(CommandError, match="INC-19-0042"):
        load_demo()
    assert not tax.Incident.objects.filter(code="INC-19-0042").exists()


@pytest.mark.django_db
def test_demo_fills_the_triage_queue_with_a_duplicate_hint(loaded):
    from contributions.hints import for_submission

    queue = Submission.objects.open()
    assert queue.filter(kind="report").count() == 2
    assert queue.get(kind="correction").target.slug == "algorithmic-bias"
    duplicate = queue.get(title__startswith="Microsoft chatbot")
    hints = for_submission(duplicate)
    assert hints and "cites the same source" in hints[0].reasons[0]
