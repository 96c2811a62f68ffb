"""Similar incidents on an incident's page: reasons, limits, editors' pins and hides."""

import re

import pytest
from reversion.models import Version

from editorial import services
from editorial.models import State
from incidents.models import Incident
from incidents.similar import similar_incidents
from tests.factories import (
    add_entity,
    make_incident,
    make_pattern,
    make_sector,
    make_user,
)

pytestmark = pytest.mark.django_db


def _section(html: str) -> str:
    if "Similar incidents" not in html:
        return ""
    return html.split('id="similar-heading"')[1].split("</section>")[0]


def _shown(client, incident) -> list[str]:
    html = client.get(incident.get_absolute_url()).content.decode()
    return re.findall(r'<span class="code">(INC-[\d-]+)</span>', _section(html))


def test_suggestions_say_why_they_are_similar(client):
    pattern, other = make_pattern(title="Voice cloning fraud"), make_pattern()
    health = make_sector(name="Health")
    incident = make_incident(pattern, title="Cloned voice of a chief executive")
    add_entity(incident, name="Acme Bank")
    incident.sectors.add(health)
    same_pattern = make_incident(pattern, title="Something else entirely")
    same_org = make_incident(other, title="Unrelated topic")
    add_entity(same_org, name="Acme Bank", role="victim")
    same_title = make_incident(pattern, title="Cloned voice of a chief executive again")
    same_title.sectors.add(health)
    make_incident(other, title="Nothing in common at all")
    html = client.get(incident.get_absolute_url()).content.decode()
    section = _section(html)
    rows = dict(re.findall(r'code">(INC-[\d-]+)</span>.*?class="meta">(.*?)</span>',
                           section))  # fmt: skip
    assert set(rows) == {same_pattern.code, same_org.code, same_title.code}
    assert rows[same_pattern.code] == "same pattern: Voice cloning fraud"
    assert rows[same_org.code] == "also names Acme Bank"
    assert rows[same_title.code] == (
        "same pattern: Voice cloning fraud; similar title; same sector: Health"
    )


def test_at_most_five_published_incidents_the_closest_first(client):
    pattern = make_pattern()
    incident = make_incident(pattern, title="Deepfake of a mayor")
    add_entity(incident, name="Acme")
    closest = make_incident(pattern, title="Deepfake of a mayor circulates")
    add_entity(closest, name="Acme")
    for n in range(8):
        make_incident(pattern, title=f"Pattern only {n}")
    make_incident(pattern, title="Deepfake of a mayor draft", state=State.DRAFT)
    shown = _shown(client, incident)
    assert len(shown) == 5
    assert shown[0] == closest.code
    drafts = Incident.objects.exclude(state=State.PUBLISHED).values_list("code")
    assert not set(shown) & {code for (code,) in drafts}


def test_editors_pin_and_hide_through_a_reviewed_change(client):
    author, reviewer = make_user(role="Author"), make_user(role="Reviewer")
    pattern = make_pattern()
    incident = make_incident(pattern)
    suggested = make_incident(pattern)
    elsewhere = make_incident(make_pattern(), title="Elsewhere")
    unpublished = make_incident(make_pattern(), state=State.DRAFT)
    assert _shown(client, incident) == [suggested.code]

    def choose(live):
        live.pinned_similar.set([elsewhere, unpublished])
        live.hidden_similar.set([suggested])

    services.edit(incident, by=author, apply=choose, summary="Better suggestions")
    assert _shown(client, incident) == [suggested.code]  # pending, not public yet
    services.submit(incident, by=author)
    services.approve(Incident.objects.get(pk=incident.pk), by=reviewer)
    assert _shown(client, incident) == [elsewhere.code]
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "chosen by the editors" in _section(html)
    stored = Version.objects.get_for_object(incident).first().field_dict
    assert set(stored["pinned_similar"]) == {elsewhere.pk, unpublished.pk}
    assert list(stored["hidden_similar"]) == [suggested.pk]


def test_the_lookup_reads_a_bounded_number_of_queries(django_assert_max_num_queries):
    pattern = make_pattern()
    incident = make_incident(pattern, title="Chatbot gives harmful advice")
    add_entity(incident, name="Acme")
    incident.sectors.add(make_sector())
    for n in range(60):
        other = make_incident(make_pattern(), title=f"Chatbot gives harmful advice {n}")
        add_entity(other, name="Acme")
    incident = (
        Incident.objects.select_related("primary_pattern__domain")
        .prefetch_related(
            "entities__organisation", "sectors", "pinned_similar", "hidden_similar"
        )
        .get(pk=incident.pk)
    )
    with django_assert_max_num_queries(5):
        assert len(similar_incidents(incident)) == 5
