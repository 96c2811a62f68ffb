"""`public_content_changed`: what the apps built on editorial hear, and when."""

import pytest

from editorial import services
from editorial.models import State
from editorial.signals import public_content_changed
from tests.factories import make_term, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    public_content_changed.connect(receiver)
    yield calls
    public_content_changed.disconnect(receiver)


def _retitle(title):
    def apply(entry):
        entry.term = title
        entry.save()

    return apply


def test_first_publication_is_announced_once_after_commit(
    heard, django_capture_on_commit_callbacks
):
    term = make_term(state=State.DRAFT)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish(term, by=make_user())
    assert heard == []
    for callback in callbacks:
        callback()
    assert len(heard) == 1
    call = heard[0]
    assert (call["sender"], call["pk"], call["action"]) == (
        type(term),
        term.pk,
        "publish",
    )
    assert call["first"] is True and call["minor"] is False
    assert call["revision"].comment == "Published"


def test_a_pending_change_is_not_announced(heard, django_capture_on_commit_callbacks):
    term = make_term()
    with django_capture_on_commit_callbacks(execute=True):
        services.edit(term, by=make_user(), apply=_retitle("Not yet"))
    assert heard == []


def test_a_minor_republication_says_it_is_minor(
    heard, django_capture_on_commit_callbacks
):
    term = make_term()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(term, by=make_user(), minor=True)
    assert [(c["minor"], c["first"]) for c in heard] == [(True, False)]


@pytest.mark.parametrize("withdraw", [services.unpublish, services.archive])
def test_withdrawing_a_published_entry_is_announced(
    withdraw, heard, django_capture_on_commit_callbacks
):
    term = make_term()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(term, by=make_user(role="Reviewer"))
    assert [c["action"] for c in heard] == [withdraw.__name__]


def test_deleting_a_draft_is_not_announced_but_a_published_entry_is(
    heard, django_capture_on_commit_callbacks
):
    draft, live = make_term(state=State.DRAFT), make_term()
    live_pk = live.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(draft, by=make_user())
        services.delete(live, by=make_user())
    assert [(c["action"], c["pk"]) for c in heard] == [("delete", live_pk)]
