"""The weekly briefing, and no unpublished word in any mail."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from editorial import services
from editorial.models import State
from incidents.models import Incident
from outbox.models import OutboxMessage
from subscriptions import sending
from subscriptions import services as subscriptions
from subscriptions.models import Subscriber
from tests.factories import make_domain, make_incident, make_pattern
from tests.subscriptions.helpers import Newsroom, deliver, follow, links, path_of

pytestmark = pytest.mark.django_db

MARKER = "zqxmailleak"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SUBSCRIPTION_BATCH_MINUTES = 0
    settings.FOLLOW_RATE = "1000/m"
    settings.SITE_URL = "http://testserver"


def confirmed(client, email: str, *targets: str) -> Subscriber:
    for target in targets:
        follow(client, target, email)
    subscriber = Subscriber.objects.get(email=email)
    subscriptions.confirm(subscriber)
    return subscriber


def test_weekly_briefing_lists_new_and_updated_incidents_by_domain_once(
    client, smtp_server
):
    security = make_domain(code="DOM-SEC", short_title="Security")
    society = make_domain(code="DOM-SOC", short_title="Society")
    now = timezone.now()
    week_ago = now - datetime.timedelta(days=10)
    new_sec = make_incident(make_pattern(security), title="Fresh breach")
    new_soc = make_incident(make_pattern(society), title="Fresh harm")
    updated = make_incident(make_pattern(security), title="Older, updated")
    stale = make_incident(make_pattern(security), title="Untouched")
    make_incident(make_pattern(security), title="Draft one", state=State.DRAFT)
    Incident.objects.filter(pk__in=[updated.pk, stale.pk]).update(
        first_published=week_ago
    )
    Incident.objects.filter(pk=stale.pk).update(last_updated=week_ago.date())
    confirmed(client, "weekly@example.org", "weekly")
    confirmed(client, "other@example.org", "new_incidents")
    deliver()
    before = len(smtp_server.messages)
    tomorrow = now + datetime.timedelta(days=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sending.send_weekly(tomorrow) == 1
        assert sending.send_weekly(tomorrow) == 1  # the same key again: no mail
    deliver()
    briefings = smtp_server.messages[before:]
    assert len(briefings) == 1
    mail = briefings[0]
    assert mail.rcpt_tos == ["weekly@example.org"]
    assert "2 new incidents, 1 updated" in mail.text
    assert "Security: 1 new, 1 updated" in mail.text
    assert "Society: 1 new, 0 updated" in mail.text
    assert "Draft one" not in mail.text and "Untouched" not in mail.text
    assert "Security: 1 new, 1 updated" in mail.html
    assert str(new_soc) in mail.html and str(new_sec) in mail.text
    assert "scope=weekly" in mail.message["List-Unsubscribe"]
    for url in links(mail.text):
        assert client.get(path_of(url)).status_code == 200, url


def test_no_mail_carries_unpublished_text(client, smtp_server):
    newsroom = Newsroom()
    domain = make_domain()
    pattern = make_pattern(domain)
    followed = make_incident(pattern, title="Followed incident")
    # Unpublished text everywhere around what the reader follows.
    make_incident(pattern, title=f"{MARKER} draft", state=State.DRAFT)
    make_incident(pattern, title=f"{MARKER} in review", state=State.IN_REVIEW)
    archived = make_incident(pattern, title=f"{MARKER} archived")
    services.archive(archived, by=newsroom.reviewer)
    pending = make_incident(pattern, title="Has a pending change")
    newsroom.pend(pending, summary=f"{MARKER} summary", title=f"{MARKER} title")
    newsroom.pend(pattern, summary=f"{MARKER} pattern", title=f"{MARKER} pattern")
    confirmed(
        client,
        "reader@example.org",
        f"incidents.incident:{followed.pk}",
        f"incidents.incident:{pending.pk}",
        f"incidents.threatpattern:{pattern.pk}",
        f"incidents.domain:{domain.pk}",
        "new_incidents",
        "weekly",
    )
    newsroom.change(followed, summary="A public correction.")
    fresh = make_incident(pattern, title="New and public", state=State.DRAFT)
    newsroom.publish_new(fresh)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sending.send_weekly(timezone.now() + datetime.timedelta(days=1))
    deliver()
    assert len(smtp_server.messages) >= 3  # confirmation, changes, briefing
    assert any("A public correction." in m.text for m in smtp_server.messages)
    for message in OutboxMessage.objects.all():
        stored = " ".join(
            [
                message.subject,
                message.text_body,
                message.html_body,
                str(message.headers),
            ]
        )
        assert MARKER not in stored.lower(), message.key
    for received in smtp_server.messages:
        assert MARKER not in received.message.as_string().lower()
