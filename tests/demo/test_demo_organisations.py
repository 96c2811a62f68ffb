"""The demo's organisations are published entries with full pages."""

import pytest

from demo.loader import load_all
from editorial.models import State
from incidents.models import Organisation

pytestmark = pytest.mark.django_db


def test_every_demo_organisation_is_published_with_a_description(client):
    load_all()
    organisations = list(Organisation.objects.all())
    assert len(organisations) == 84
    assert {o.state for o in organisations} == {State.PUBLISHED}
    assert all(len(o.description) > 60 for o in organisations)
    openai = Organisation.objects.get(slug="openai")
    html = client.get(openai.get_absolute_url()).content.decode()
    assert "develops the GPT models" in html
    assert 'href="https://openai.com/"' in html
    assert "<dt>Incidents</dt><dd>5</dd>" in html
