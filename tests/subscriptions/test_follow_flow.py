"""Follow → confirm → a published change → exactly one mail, over real SMTP."""

import pytest
from django.test import Client

from incidents.models import Incident
from outbox.models import OutboxMessage
from subscriptions.models import PendingChange, Subscriber, Subscription
from tests.factories import add_entity, make_incident, make_pattern
from tests.subscriptions.helpers import (
    INTERNAL_NOTE,
    Newsroom,
    deliver,
    follow,
    links,
    path_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_batching_delay(settings):
    settings.FOLLOW_RATE = "1000/m"
    settings.SUBSCRIPTION_BATCH_MINUTES = 0
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def newsroom():
    return Newsroom()


def is_private(response) -> bool:
    control = response["Cache-Control"]
    return "private" in control and "no-store" in control


def key(entry) -> str:
    return f"{entry._meta.label_lower}:{entry.pk}"


def test_follow_confirm_publish_sends_exactly_one_mail_with_working_links(
    client, smtp_server, newsroom
):
    incident = make_incident(title="Chatbot leaks addresses")
    page = client.get(incident.get_absolute_url()).content.decode()
    assert f'name="target" value="{key(incident)}"' in page  # the Follow button

    form = client.get(f"/follow/?target={key(incident)}&email=reader@example.org")
    assert form.status_code == 200
    assert is_private(form)
    assert 'value="reader@example.org"' in form.content.decode()
    follow(client, key(incident), "Reader@Example.org")
    assert client.get("/follow/sent/").status_code == 200

    # Nothing but the confirmation link before the owner confirms.
    newsroom.change(incident, summary="Added the vendor's statement.")
    deliver()
    assert len(smtp_server.messages) == 1
    confirmation = smtp_server.messages[0]
    assert confirmation.rcpt_tos == ["reader@example.org"]
    assert confirmation.message["Subject"] == "[Threatwatch] Confirm what you follow"
    confirm_url = next(u for u in links(confirmation.text) if "/confirm/" in u)
    assert confirm_url in confirmation.html
    assert "Chatbot leaks addresses" in confirmation.text
    page = client.get(path_of(confirm_url))
    assert page.status_code == 200 and is_private(page)
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()
    manage = client.post(path_of(confirm_url))
    assert manage.status_code == 302
    assert "Confirmed." in client.get(manage["Location"]).content.decode()

    newsroom.change(incident, summary="Corrected the date of the leak.")
    deliver()
    assert len(smtp_server.messages) == 2  # exactly one more
    mail = smtp_server.messages[1]
    assert mail.rcpt_tos == ["reader@example.org"]
    assert mail.message["Subject"] == f"[Threatwatch] Updated: {incident}"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(mail.message["List-Unsubscribe"]).strip(" <>\r\n\t")
    for part in (mail.text, mail.html):
        assert "Corrected the date of the leak." in part
        assert f"http://testserver{incident.get_absolute_url()}" in part
        assert unsubscribe in part.replace("&amp;", "&")
    assert "Added the vendor" not in mail.text  # sent before the confirmation
    for url in links(mail.text):
        assert client.get(path_of(url)).status_code == 200, url
    # Nothing more on another run.
    deliver()
    assert len(smtp_server.messages) == 2


def test_a_pending_or_minor_change_sends_nothing(client, smtp_server, newsroom):
    from subscriptions import services as subscriptions

    pattern = make_pattern()
    pending, minor = make_incident(pattern), make_incident(pattern)
    for entry in (pattern, pending, minor):
        follow(client, key(entry), "reader@example.org")
    subscriptions.confirm(Subscriber.objects.get())
    deliver()
    confirmations = len(smtp_server.messages)
    newsroom.pend(pending, summary="Not reviewed yet", title="Secret new title")
    newsroom.change(minor, summary="Typo", minor=True)
    deliver()
    assert len(smtp_server.messages) == confirmations == 1
    assert not PendingChange.objects.exists()
    assert OutboxMessage.objects.count() == 1


def test_changes_of_one_run_reach_each_follower_in_one_mail(
    client, smtp_server, newsroom, settings
):
    settings.SUBSCRIPTION_BATCH_MINUTES = 15  # one run for the whole hour
    pattern = make_pattern(title="Voice cloning fraud")
    one = make_incident(pattern, title="Bank call cloned")
    two = make_incident(pattern, title="Fake CEO voice")
    from subscriptions import services as subscriptions

    follow(client, key(pattern), "pattern@example.org")
    follow(client, key(one), "one@example.org")
    for subscriber in Subscriber.objects.all():
        subscriptions.confirm(subscriber)
    newsroom.change(one, summary="New source.")
    newsroom.change(two, summary="Damages known.")
    newsroom.change(pattern, summary="Clearer definition.")
    from django_tasks_db.models import DBTaskResult

    runs = DBTaskResult.objects.filter(task_path="subscriptions.tasks.send_changes")
    assert runs.count() == 1
    runs.update(run_after=runs.get().enqueued_at)  # the quarter of an hour passes
    deliver()
    by_address = {
        m.rcpt_tos[0]: m
        for m in smtp_server.messages
        if "Confirm" not in m.message["Subject"]
    }
    assert set(by_address) == {"pattern@example.org", "one@example.org"}
    grouped = by_address["pattern@example.org"]
    assert grouped.message["Subject"] == "[Threatwatch] 3 changes you follow"
    for summary in ("New source.", "Damages known.", "Clearer definition."):
        assert summary in grouped.text and summary in grouped.html
    for mail in smtp_server.messages:  # the authors' own save notes stay internal
        assert INTERNAL_NOTE not in mail.text and INTERNAL_NOTE not in mail.html
    assert "Damages known." not in by_address["one@example.org"].text
    assert OutboxMessage.objects.filter(status="sent").count() == 4


def test_new_incidents_followers_hear_of_first_publications_only(
    client, smtp_server, newsroom
):
    from subscriptions import services as subscriptions

    follow(client, "new_incidents", "all@example.org")
    subscriptions.confirm(Subscriber.objects.get())
    old = make_incident(title="Old one")
    newsroom.change(old, summary="Edited.")
    fresh = make_incident(title="Fresh one", state="draft")
    newsroom.publish_new(fresh)
    deliver()
    mails = [m for m in smtp_server.messages if "Confirm" not in m.message["Subject"]]
    assert len(mails) == 1
    assert "Fresh one" in mails[0].text and "Old one" not in mails[0].text
    assert "(new)" in mails[0].text


def test_one_click_unsubscribe_works_without_a_session_or_csrf(
    client, smtp_server, newsroom
):
    incident = make_incident()
    from subscriptions import services as subscriptions

    follow(client, key(incident), "reader@example.org")
    subscriptions.confirm(Subscriber.objects.get())
    newsroom.change(incident, summary="Update.")
    deliver()
    mail = smtp_server.messages[-1]
    url = str(mail.message["List-Unsubscribe"]).strip(" <>\r\n\t")
    mail_client = Client(enforce_csrf_checks=True)  # no cookie, no token
    response = mail_client.post(
        path_of(url),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert is_private(response)
    assert not Subscription.objects.exists()
    # Other forms keep their CSRF protection.
    manage_url = next(u for u in links(mail.text) if u.rstrip("/").count("/") == 4)
    assert mail_client.post(path_of(manage_url), {"keep": []}).status_code == 403
    newsroom.change(incident, summary="Another update.")
    deliver()
    assert smtp_server.messages[-1] is mail


def test_manage_page_changes_and_stops_each_subscription(client, smtp_server):
    one, two = make_incident(), make_incident()
    from subscriptions import services as subscriptions
    from subscriptions.tokens import link

    follow(client, key(one), "reader@example.org")
    follow(client, key(two), "reader@example.org")
    subscriber = Subscriber.objects.get()
    subscriptions.confirm(subscriber)
    manage = path_of(link(subscriber))
    page = client.get(manage)
    assert is_private(page)
    assert str(one) in page.content.decode() and str(two) in page.content.decode()
    client.post(manage, {"keep": [key(two), "weekly"]})
    assert set(subscriber.subscriptions.values_list("target", flat=True)) == {
        key(two),
        "weekly",
    }
    client.post(manage, {"stop_all": "1"})
    assert not Subscriber.objects.exists()
    assert client.get(manage).status_code == 404
    assert Subscriber.objects.filter(token_hash__contains="reader").count() == 0


def test_only_a_hash_of_the_private_link_is_stored(client, smtp_server):
    from subscriptions.tokens import link

    follow(client, "weekly", "reader@example.org")
    subscriber = Subscriber.objects.get()
    token = path_of(link(subscriber)).split("/")[2]
    row = Subscriber.objects.filter(pk=subscriber.pk).values().get()
    assert token not in str(row)
    assert client.get(f"/follow/{row['token_hash']}/").status_code == 404


def test_bad_input_keeps_the_form_and_unknown_targets_are_404(client):
    draft = make_incident(state="draft")
    assert client.get(f"/follow/?target={key(draft)}").status_code == 404
    assert client.get("/follow/?target=auth.user:1").status_code == 404
    response = client.post("/follow/", {"email": "not an address", "target": "weekly"})
    assert response.status_code == 200
    assert 'value="not an address"' in response.content.decode()
    assert not Subscriber.objects.exists()


def test_follow_requests_are_rate_limited(client, settings):
    settings.FOLLOW_RATE = "2/h"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "follow-rate-test",
        }
    }
    for n in range(2):
        follow(client, "weekly", f"r{n}@example.org")
    response = client.post("/follow/", {"email": "r3@example.org", "target": "weekly"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Subscriber.objects.count() == 2


def test_confirmation_mail_at_most_once_an_hour_per_address(client):
    for _ in range(3):
        follow(client, "weekly", "reader@example.org")
    follow(client, "new_incidents", "reader@example.org")
    assert OutboxMessage.objects.count() == 1


def test_unconfirmed_addresses_are_deleted_after_seven_days(client):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from subscriptions import services as subscriptions

    follow(client, "weekly", "old@example.org")
    follow(client, "weekly", "new@example.org")
    follow(client, "weekly", "kept@example.org")
    subscriptions.confirm(Subscriber.objects.get(email="kept@example.org"))
    Subscriber.objects.exclude(email="new@example.org").update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    call_command("purge_subscriptions")
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "new@example.org",
        "kept@example.org",
    }
    assert Incident.objects.count() == 0


def test_a_change_whose_signal_was_lost_is_still_sent(client, smtp_server, newsroom):
    """The process died between the publish's commit and the receiver."""
    from editorial.signals import public_content_changed
    from subscriptions import services as subscriptions
    from subscriptions.receivers import record_change

    incident = make_incident()
    follow(client, key(incident), "reader@example.org")
    subscriptions.confirm(Subscriber.objects.get())
    deliver()
    public_content_changed.disconnect(dispatch_uid="subscriptions.record_change")
    try:
        newsroom.change(incident, summary="Published while the receiver was away.")
    finally:
        public_content_changed.connect(
            record_change, dispatch_uid="subscriptions.record_change"
        )
    assert not PendingChange.objects.exists()
    from django.core.management import call_command
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_notifications")  # the cron safety net
    deliver()
    assert "Published while the receiver was away." in smtp_server.messages[-1].text
    assert PendingChange.objects.get().sent_at is not None
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_notifications")
    deliver()
    assert len(smtp_server.messages) == 2  # the confirmation and that one mail


def test_follow_pages_are_never_cached_even_with_the_page_cache_on(client, settings):
    import uuid

    from subscriptions.tokens import link

    settings.PUBLIC_PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    incident = make_incident()
    follow(client, "weekly", "reader@example.org")
    manage = path_of(link(Subscriber.objects.get()))
    urls = [
        f"/follow/?target={key(incident)}",
        "/follow/sent/",
        manage,
        f"{manage}confirm/",
        f"{manage}unsubscribe/?scope=weekly",
    ]
    for url in urls:
        for _ in range(2):
            response = Client().get(url)
            assert response.status_code == 200, url
            assert is_private(response), url
            assert not response.has_header("X-Cache"), url
    # The entry page itself stays cacheable: its Follow form carries no token.
    Client().get(incident.get_absolute_url())
    assert Client().get(incident.get_absolute_url())["X-Cache"] == "hit"


def test_administrators_see_addresses_and_delete_one_on_request(client):
    from django.urls import reverse

    from tests.factories import make_user

    follow(client, "weekly", "reader@example.org")
    subscriber = Subscriber.objects.get()
    client.force_login(make_user(role="Administrator"))
    listing = client.get(reverse("admin:subscriptions_subscriber_changelist"))
    assert "reader@example.org" in listing.content.decode()
    page = client.get(
        reverse("admin:subscriptions_subscriber_change", args=[subscriber.pk])
    ).content.decode()
    assert "the weekly briefing" in page and subscriber.token_hash not in page
    url = reverse("admin:subscriptions_subscriber_delete", args=[subscriber.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()
    from editorial.models import AuditEvent

    event = AuditEvent.objects.get(object_id=subscriber.pk, action="delete")
    assert event.entry_repr == f"subscriber #{subscriber.pk}"
    assert "reader@example.org" not in str(AuditEvent.objects.values())
    log = client.get("/admin/audit-log/")
    assert (
        log.status_code == 200
        and f"subscriber #{subscriber.pk}" in log.content.decode()
    )


def test_organisation_followers_hear_of_changes_to_its_incidents(
    client, smtp_server, newsroom
):
    from subscriptions import services as subscriptions

    incident = make_incident(title="Assistant invents a refund policy")
    organisation = add_entity(
        incident, name="Skyline Air", role="deployer"
    ).organisation
    other = make_incident(title="Unrelated outage")
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert f'name="target" value="{key(organisation)}"' in page  # the Follow button
    follow(client, key(organisation), "watcher@example.org")
    subscriptions.confirm(Subscriber.objects.get())
    newsroom.change(other, summary="Nothing to do with the airline.")
    newsroom.change(incident, summary="The tribunal ruled.")
    deliver()
    mails = [m for m in smtp_server.messages if "Confirm" not in m.message["Subject"]]
    assert len(mails) == 1
    assert "The tribunal ruled." in mails[0].text
    assert "Nothing to do with the airline." not in mails[0].text
