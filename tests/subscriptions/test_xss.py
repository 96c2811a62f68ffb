"""The XSS corpus stays inert on the follow pages and in the mails' HTML parts."""

from urllib.parse import quote

import pytest
from django.test import TestCase

from outbox.models import OutboxMessage
from subscriptions import sending, tokens
from subscriptions import services as subscriptions
from tests.factories import make_incident, make_pattern, make_term
from tests.subscriptions.helpers import Newsroom, path_of
from tests.test_xss import PAYLOADS, _check_html

pytestmark = pytest.mark.django_db


def test_payloads_in_titles_summaries_and_input_stay_text(client, settings):
    settings.SUBSCRIPTION_BATCH_MINUTES = 0
    settings.FOLLOW_RATE = "100000/m"
    newsroom = Newsroom()
    pattern = make_pattern()
    pages = []
    targets = []
    for n, payload in enumerate(PAYLOADS[:30]):
        incident = make_incident(pattern, title=payload[:240], slug=f"x{n}")
        term = make_term(term=payload[:120], slug=f"t{n}")
        targets += [f"incidents.incident:{incident.pk}", f"glossary.term:{term.pk}"]
        pages += [
            f"/follow/?target=incidents.incident:{incident.pk}&email={quote(payload)}",
            f"/follow/?target=glossary.term:{term.pk}",
        ]
        newsroom.change(incident, summary=payload[:200])
    subscriber = None
    for target in targets:
        subscriber = subscriptions.follow("reader@example.org", target).subscriber
    manage = path_of(tokens.link(subscriber))
    pages += [f"{manage}confirm/", f"{manage}unsubscribe/?scope={quote(PAYLOADS[0])}"]
    subscriptions.confirm(subscriber)
    pages.append(manage)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sending.send_changes()
    problems = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += _check_html(url, response.content.decode())
    for n, payload in enumerate(PAYLOADS[:10]):
        response = client.post("/follow/", {"email": payload, "target": targets[n]})
        assert response.status_code == 200
        problems += _check_html(f"POST {n}", response.content.decode())
    messages = OutboxMessage.objects.exclude(html_body="")
    assert messages.filter(key__startswith="subscriptions:changes").exists()
    for message in messages:
        problems += _check_html(message.key, message.html_body)
    assert not problems, "\n".join(problems[:40])
