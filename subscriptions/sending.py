"""Sending runs: one mail per subscriber per run, and the weekly briefing.

Built only from published rows (`published()`) and the summaries of published,
non-minor revisions, which are what the public changelog shows.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from editorial import public_notes
from editorial.addresses import site_url
from editorial.models import RevisionMeta
from outbox.services import enqueue

from . import mails, targets
from .models import PendingChange, Subscriber, Subscription

#: Subscribers per slice: bounds the memory of a run over many subscribers.
SLICE = 2000
#: How far back a run looks for published changes nobody recorded as pending.
CATCH_UP = datetime.timedelta(days=2)


@dataclass(frozen=True)
class ChangeItem:
    pk: int  # the PendingChange
    title: str
    summary: str
    url: str
    new: bool


def _published_items(pending: list[PendingChange]) -> list[tuple[ChangeItem, set]]:
    """Each pending change still public, with the targets it concerns."""
    metas = {
        meta.revision_id: meta
        for meta in RevisionMeta.objects.filter(
            revision_id__in=[p.revision_id for p in pending]
        ).select_related("revision")
    }
    by_type: dict[int, set[int]] = defaultdict(set)
    for p in pending:
        by_type[p.content_type_id].add(p.object_id)
    entries = {}
    for type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        manager = model.objects
        if not hasattr(manager, "published"):
            continue
        for pk, entry in manager.published().in_bulk(pks).items():
            entries[type_id, pk] = entry
    items = []
    for p in pending:
        meta = metas.get(p.revision_id)
        entry = entries.get((p.content_type_id, p.object_id))
        if entry is None or meta is None or not meta.published or meta.minor:
            continue  # withdrawn since, or not a public change after all
        item = ChangeItem(
            pk=p.pk,
            title=str(entry),
            summary=public_notes.shown(meta),
            url=site_url(entry.get_absolute_url()),
            new=p.first,
        )
        items.append((item, targets.concerned_keys(entry, first=p.first)))
    return items


def catch_up() -> int:
    """Record as pending the recent published changes the signal did not record.

    The publishing transaction writes the change's `RevisionMeta` (published, not
    minor): that row is the durable record. The `public_content_changed` receiver
    records the pending change right after commit; if the process died in between,
    this finds the change anyway (an anti-join, so commits in any order are seen).
    """
    since = timezone.now() - CATCH_UP
    missed = (
        RevisionMeta.objects.filter(
            published=True,
            minor=False,
            content_type__isnull=False,
            revision__date_created__gte=since,
        )
        .exclude(revision_id__in=PendingChange.objects.values("revision_id"))
        .order_by("pk")
    )
    recorded = 0
    for meta in missed:
        earlier = RevisionMeta.objects.filter(
            content_type_id=meta.content_type_id,
            object_id=meta.object_id,
            published=True,
            pk__lt=meta.pk,
        )
        _, created = PendingChange.objects.get_or_create(
            revision_id=meta.revision_id,
            defaults={
                "content_type_id": meta.content_type_id,
                "object_id": meta.object_id,
                "first": not earlier.exists(),
            },
        )
        recorded += created
    return recorded


def send_changes() -> int:
    """Mail every confirmed follower the pending changes that concern them.

    One transaction: the pending changes are locked (SKIP LOCKED, so two runs
    never take the same), the mails recorded in the outbox and the changes marked
    sent together. A crash rolls all of it back; the next run does it again with
    the same outbox keys. Returns the number of mails recorded.
    """
    catch_up()
    with transaction.atomic():
        pending = list(
            PendingChange.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .order_by("pk")
        )
        if not pending:
            return 0
        items = _published_items(pending)
        by_target: dict[str, list[ChangeItem]] = defaultdict(list)
        for item, keys in items:
            for key in keys:
                by_target[key].append(item)
        per_subscriber: dict[int, dict[int, ChangeItem]] = defaultdict(dict)
        rows = Subscription.objects.filter(
            confirmed_at__isnull=False,
            subscriber__confirmed_at__isnull=False,
            target__in=list(by_target),
        ).values_list("subscriber_id", "target")
        for subscriber_id, target in rows.iterator(chunk_size=5000):
            for item in by_target[target]:
                per_subscriber[subscriber_id][item.pk] = item
        run = hashlib.sha256(",".join(str(p.pk) for p in pending).encode())
        run_id = run.hexdigest()[:16]
        recorded = 0
        ids = sorted(per_subscriber)
        for start in range(0, len(ids), SLICE):
            chunk = Subscriber.objects.in_bulk(ids[start : start + SLICE])
            batch = []
            for subscriber_id, subscriber in chunk.items():
                changes = sorted(per_subscriber[subscriber_id].values(), key=_order)
                subject = (
                    f"Updated: {changes[0].title}"
                    if len(changes) == 1
                    else f"{len(changes)} changes you follow"
                )
                batch.append(
                    mails.build(
                        f"subscriptions:changes:{run_id}:{subscriber_id}",
                        subscriber,
                        subject,
                        "changes",
                        "changes",
                        changes=changes,
                    )
                )
            enqueue(*batch)
            recorded += len(batch)
        PendingChange.objects.filter(pk__in=[p.pk for p in pending]).update(
            sent_at=timezone.now()
        )
    return recorded


def _order(item: ChangeItem) -> int:
    return item.pk


def week_of(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The seven days before `now`'s midnight (local time)."""
    end = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return end - datetime.timedelta(days=7), end


def briefing_context(start, end) -> dict:
    from incidents.models import Incident

    incidents = (
        Incident.objects.published()
        .filter(last_updated__gte=start.date(), last_updated__lt=end.date())
        .select_related("primary_pattern__domain")
        .order_by("primary_pattern__domain__code", "code")
    )
    new_since = Incident.objects.published().filter(
        first_published__gte=start, first_published__lt=end
    )
    new_ids = set(new_since.values_list("pk", flat=True))
    domains: dict[int, dict] = {}
    for incident in [*new_since.select_related("primary_pattern__domain"), *incidents]:
        domain = incident.primary_pattern.domain
        group = domains.setdefault(
            domain.pk,
            {"title": str(domain), "code": domain.code, "new": [], "updated": []},
        )
        row = {
            "title": str(incident),
            "url": site_url(incident.get_absolute_url()),
        }
        which = "new" if incident.pk in new_ids else "updated"
        if row not in group[which]:
            group[which].append(row)
    ordered = sorted(domains.values(), key=lambda d: d["code"])
    return {
        "start": start,
        "end": end - datetime.timedelta(days=1),
        "domains": ordered,
        "new_count": sum(len(d["new"]) for d in ordered),
        "updated_count": sum(len(d["updated"]) for d in ordered),
    }


def send_weekly(now: datetime.datetime | None = None) -> int:
    """Record the weekly briefing for every confirmed reader of it, once a week.

    Keyed by the ISO week, so running it twice in a week sends it once. Nothing
    is sent in a week without a new or updated incident.
    """
    start, end = week_of(now or timezone.now())
    context = briefing_context(start, end)
    if not context["domains"]:
        return 0
    year, week, _ = (end - datetime.timedelta(days=1)).isocalendar()
    ids = list(
        Subscription.objects.filter(
            target=targets.WEEKLY,
            confirmed_at__isnull=False,
            subscriber__confirmed_at__isnull=False,
        )
        .order_by("subscriber_id")
        .values_list("subscriber_id", flat=True)
    )
    recorded = 0
    for offset in range(0, len(ids), SLICE):
        with transaction.atomic():
            chunk = Subscriber.objects.in_bulk(ids[offset : offset + SLICE])
            enqueue(
                *(
                    mails.build(
                        f"subscriptions:weekly:{year}-W{week:02d}:{pk}",
                        subscriber,
                        f"Weekly briefing: {context['new_count']} new incidents",
                        "weekly",
                        "weekly",
                        **context,
                    )
                    for pk, subscriber in chunk.items()
                )
            )
            recorded += len(chunk)
    return recorded
