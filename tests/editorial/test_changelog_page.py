"""The public changelog names each entry's type beside its date and summary."""

import re

import pytest

from editorial import services
from editorial.roles import REVIEWER
from tests.factories import (
    make_domain,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_changelog_has_an_entry_type_column(client):
    reviewer = make_user("rita", role=REVIEWER)
    term = make_term(term="Hallucination")
    services.publish(term, by=reviewer, comment="First published")
    pattern = make_pattern(make_domain())
    incident = make_incident(pattern, title="Chatbot invents a refund policy")
    services.publish(incident, by=reviewer, comment="First published")

    html = client.get("/changes/").content.decode()
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert re.findall(r'<th scope="col">([^<]+)</th>', head) == [
        "Date",
        "Type",
        "Entry",
        "Summary",
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    types = {re.sub(r"<[^>]+>", "", row[2]).strip(): row[1] for row in cells}
    assert types[str(incident)] == "Incident"
    assert types[str(term)] == "Term"
