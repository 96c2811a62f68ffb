"""Every kind of write refreshes exactly the cached pages that show it.

Real commits (transactional tests) on PostgreSQL and a real Redis shared cache
(a key prefix of its own). Each test warms a small site, makes one kind of
write, then checks that every page showing the change is rendered afresh on
the next request and shows it, and that pages that do not show it are still
served from the cache.
"""

import datetime
import json
import uuid
from io import StringIO

import pytest
import redis
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from editorial import services
from editorial.models import State
from editorial.roles import AUTHOR, REVIEWER
from glossary.models import Term
from incidents.models import DomainFramework, Framework, Incident
from tests.factories import (
    add_entity,
    add_source,
    make_domain,
    make_incident,
    make_pattern,
    make_sector,
    make_term,
    make_user,
    publish_change,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_cache(settings):
    prefix = f"tw-test-{uuid.uuid4().hex[:12]}"
    settings.PUBLIC_PAGE_CACHE = True
    settings.CACHE_TAGS_HEADER = "xkey"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def people():
    return make_user(role=AUTHOR), make_user(role=REVIEWER)


@pytest.fixture
def site(shared_cache):
    """Two domains, three patterns, three incidents, two sectors, two terms."""
    d1, d2 = make_domain(title="Domain one"), make_domain(title="Domain two")
    p1 = make_pattern(d1, title="Pattern one")
    p2 = make_pattern(d1, title="Pattern two")
    p3 = make_pattern(d2, title="Pattern three")
    s1, s2 = make_sector(name="Sector one"), make_sector(name="Sector two")
    i1 = make_incident(p1, title="Alpha incident", severity="high")
    i1.sectors.add(s1)
    i2 = make_incident(p2, title="Beta incident")
    i2.sectors.add(s2)
    i3 = make_incident(p3, title="Gamma incident")
    i3.secondary_patterns.add(p1)
    t1 = make_term(term="Alpha term", slug="alpha-term")
    t1.related_incidents.add(i1)
    t2 = make_term(term="Gamma term", slug="gamma-term")
    t2.related_incidents.add(i3)
    entries = {
        "d1": d1,
        "d2": d2,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "s1": s1,
        "s2": s2,
        "i1": i1,
        "i2": i2,
        "i3": i3,
        "t1": t1,
        "t2": t2,
    }
    pages = {name: entry.get_absolute_url() for name, entry in entries.items()}
    pages |= {
        "home": "/",
        "incident list": reverse("incidents:incident_list"),
        "sectors": reverse("incidents:dimension_list", args=[s1.url_prefix]),
        "glossary": reverse("glossary:list"),
        "api i1": f"/api/incidents/{i1.code}.json",
        "api i2": f"/api/incidents/{i2.code}.json",
        "api glossary": "/api/glossary.json",
        "changes": "/changes/",
        "sitemap": "/sitemap.xml",
    }
    return entries, pages


def warm(client, pages):
    for url in pages.values():
        client.get(url)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["X-Cache"] == "hit", name


def check(client, pages, *, fresh, cached, shows=(), hides=()):
    """Assert which pages are rendered afresh and which still come from cache."""
    results = {name: client.get(url, follow=False) for name, url in pages.items()}
    stale = [n for n in fresh if results[n].get("X-Cache") == "hit"]
    cold = [n for n in cached if results[n].get("X-Cache") != "hit"]
    assert not stale, f"served from cache after the write: {stale}"
    assert not cold, f"invalidated though they do not show the write: {cold}"
    for name, text in shows:
        assert text in results[name].content.decode(), (name, text)
    for name, text in hides:
        assert text not in results[name].content.decode(), (name, text)
    return results


def edit_published(entry, people, **changes):
    author, reviewer = people
    publish_change(entry, author=author, reviewer=reviewer, **changes)


DETAIL_UNRELATED_TO_I1 = ["i2", "p2", "p3", "d2", "s2", "t2", "api i2"]


def test_publishing_an_incident_edit_refreshes_its_pages_only(client, site, people):
    entries, pages = site
    warm(client, pages)
    edit_published(entries["i1"], people, title="Alpha renamed")
    check(
        client,
        pages,
        fresh=["i1", "p1", "d1", "s1", "t1", "home", "incident list", "api i1"],
        cached=DETAIL_UNRELATED_TO_I1,
        shows=[(name, "Alpha renamed") for name in ("i1", "t1", "s1", "incident list")],
    )


def test_a_newly_published_incident_reaches_the_lists_that_show_it(
    client, site, people
):
    entries, pages = site
    author, reviewer = people
    draft = make_incident(entries["p1"], title="Delta incident", state=State.DRAFT)
    draft.sectors.add(entries["s1"])
    entries["t1"].related_incidents.add(draft)
    warm(client, pages)
    services.publish(draft, by=reviewer)
    check(
        client,
        pages,
        # i1 shares Delta's pattern: Delta joins its similar incidents.
        fresh=["p1", "d1", "s1", "t1", "i1", "home", "incident list", "sectors"],
        cached=DETAIL_UNRELATED_TO_I1,
        shows=[(name, "Delta incident") for name in ("p1", "s1", "t1", "i1", "home")],
    )


@pytest.mark.parametrize("withdraw", ["unpublish", "archive", "delete"])
def test_withdrawing_an_incident_removes_it_everywhere(client, site, people, withdraw):
    entries, pages = site
    _, reviewer = people
    warm(client, pages)
    getattr(services, withdraw)(entries["i1"], by=reviewer)
    results = check(
        client,
        pages,
        fresh=["p1", "d1", "s1", "t1", "home", "incident list", "sitemap"],
        cached=DETAIL_UNRELATED_TO_I1,
        hides=[
            (name, "Alpha incident")
            for name in ("p1", "d1", "s1", "t1", "home", "incident list")
        ],
    )
    assert client.get(pages["i1"]).status_code == 404
    assert client.get(pages["api i1"]).status_code == 404
    assert entries["i1"].code not in results["sitemap"].content.decode()


def test_a_recovered_and_republished_incident_comes_back(client, site, people):
    entries, pages = site
    author, reviewer = people
    incident = entries["i1"]
    pk = incident.pk
    services.delete(incident, by=reviewer)
    warm(client, {k: v for k, v in pages.items() if k not in ("i1", "api i1")})
    assert client.get(pages["i1"]).status_code == 404
    revision = (
        Version.objects.get_deleted(Incident).filter(object_id=str(pk)).first().revision
    )
    recovered = services.recover(Incident, revision, by=author)
    services.submit(recovered, by=author)
    services.approve(recovered, by=reviewer)
    check(
        client,
        pages,
        fresh=["i1", "p1", "d1", "s1", "home", "incident list"],
        cached=["i2", "p2", "p3", "d2", "s2", "t2"],
        shows=[(name, "Alpha incident") for name in ("i1", "p1", "s1")],
    )


def test_a_renamed_slug_moves_the_address_and_the_links(client, site, people):
    entries, pages = site
    term = entries["t1"]
    new_url = "/glossary/alpha-renamed/"
    warm(client, pages)
    # The new address answered 404 before (never cached) and a retired one
    # redirects (never cached), so only the pages that link it matter.
    edit_published(term, people, slug="alpha-renamed", term="Alpha renamed")
    results = check(
        client,
        pages | {"new": new_url},
        fresh=["t1", "i1", "glossary", "api glossary", "new"],
        cached=["t2", "i2", "i3", "p2", "p3", "d2", "s2"],
        shows=[("i1", new_url), ("glossary", new_url), ("new", "Alpha renamed")],
    )
    assert results["t1"].status_code != 200


def test_a_scheduled_publish_refreshes_when_it_goes_live(client, site, people):
    entries, pages = site
    author, reviewer = people
    incident = entries["i2"]

    def apply(live):
        live.title = "Beta scheduled"
        live.save()

    services.edit(incident, by=author, apply=apply)
    services.submit(incident, by=author)
    go_live = timezone.now() + datetime.timedelta(hours=1)
    services.approve(incident, by=reviewer, go_live_at=go_live)
    warm(client, pages)
    services.publish_scheduled(now=go_live, log=lambda _: None)
    check(
        client,
        pages,
        fresh=["i2", "p2", "d1", "s2", "home", "incident list", "api i2"],
        cached=["i1", "p1", "p3", "d2", "s1", "t1", "t2", "api i1"],
        shows=[("i2", "Beta scheduled"), ("s2", "Beta scheduled")],
    )


def test_an_import_refreshes_the_pages_it_changes(client, site, people, tmp_path):
    entries, pages = site
    warm(client, pages)
    document = json.loads(client.get(pages["api glossary"]).content)
    term = next(t for t in document["terms"] if t["slug"] == "alpha-term")
    term |= {"term": "Imported term", "slug": "imported-term", "url": ""}
    term["definition"] = "Imported definition."
    path = tmp_path / "term.json"
    path.write_text(json.dumps([term]))
    call_command("import_entries", str(path), "--publish", stdout=StringIO())
    assert Term.objects.get(slug="imported-term").is_published
    check(
        client,
        pages,
        fresh=["i1", "glossary", "api glossary", "home"],
        cached=["t2", "i2", "i3", "p2", "p3", "d2", "s2"],
        shows=[("i1", "Imported term"), ("glossary", "Imported term")],
    )


def test_a_dimension_value_change_refreshes_every_page_naming_it(client, site, people):
    entries, pages = site
    warm(client, pages)
    edit_published(entries["s1"], people, name="Sector renamed")
    check(
        client,
        pages,
        fresh=["s1", "i1", "sectors", "incident list"],
        cached=["i2", "i3", "p2", "p3", "d2", "s2", "t2", "api i2"],
        shows=[("i1", "Sector renamed"), ("sectors", "Sector renamed")],
    )


def test_unpublishing_a_dimension_value_drops_it_from_incident_pages(
    client, site, people
):
    entries, pages = site
    _, reviewer = people
    warm(client, pages)
    services.unpublish(entries["s1"], by=reviewer)
    check(
        client,
        pages,
        fresh=["i1", "sectors"],
        cached=["i2", "i3", "p2", "p3", "d2", "t2", "s2"],
        hides=[("i1", "Sector one"), ("sectors", "Sector one")],
    )


def test_a_framework_change_refreshes_the_pages_mapping_it(client, site, people):
    entries, pages = site
    framework = Framework.objects.create(name="Old framework name", slug="fw")
    with transaction.atomic():
        DomainFramework.objects.create(
            domain=entries["d1"], framework=framework, label="Article 5"
        )
    warm(client, pages)
    assert "Old framework name" in client.get(pages["d1"]).content.decode()
    framework.name = "New framework name"
    framework.save()
    check(
        client,
        pages,
        fresh=["d1"],
        cached=["d2", "p3", "i2", "i3", "t1", "t2", "s1", "s2"],
        shows=[("d1", "New framework name")],
    )


def test_a_source_edit_refreshes_its_incident(client, site, people):
    entries, pages = site
    source = add_source(entries["i1"], title="First report")
    warm(client, pages)
    source.title = "Corrected report"
    source.save()
    check(
        client,
        pages,
        fresh=["i1", "api i1"],
        cached=["i2", "i3", "p2", "p3", "d2", "s2", "t2"],
        shows=[("i1", "Corrected report")],
    )


def test_a_link_added_between_entries_shows_on_both_pages(client, site, people):
    entries, pages = site
    warm(client, pages)
    # A draft edit of a published entry changes nothing readers see ...
    author, reviewer = people
    term = entries["t2"]

    def link(live):
        live.related_incidents.add(entries["i2"])

    services.edit(term, by=author, apply=link)
    check(client, pages, fresh=[], cached=["t2", "i2", "p2", "s2", "i1"])
    # ... until the change is published.
    services.submit(term, by=author)
    services.approve(term, by=reviewer)
    check(
        client,
        pages,
        fresh=["t2", "i2"],
        cached=["t1", "i1", "p1", "p3", "d2", "s1"],
        shows=[("t2", "Beta incident"), ("i2", "Gamma term")],
    )


def test_pages_rendered_while_a_write_commits_are_not_stored(client, site, people):
    """A page read before a commit and stored after it would stay stale."""
    from editorial import caching

    entries, pages = site
    url = pages["i2"]
    original = caching.tag_versions

    def bump_meanwhile(tags):
        # Simulate a write committing between the page's reads and its storing.
        caching.invalidation.bump({"site"})
        return original(tags)

    caching.tag_versions = bump_meanwhile
    try:
        response = client.get(url)
    finally:
        caching.tag_versions = original
    assert "s-maxage" not in response["Cache-Control"]
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"


def test_untagged_pages_fall_back_to_the_site_wide_tag(client, shared_cache):
    """A page that reads nothing through the ORM depends on every write."""
    response = client.get("/robots.txt")
    assert response["xkey"] == "site"
    assert client.get("/robots.txt")["X-Cache"] == "hit"
    make_term()
    assert client.get("/robots.txt")["X-Cache"] == "miss"


def test_an_incident_naming_an_organisation_refreshes_the_pages_that_list_it(
    client, site, people
):
    entries, pages = site
    _, reviewer = people
    add_entity(entries["i2"], name="Skyline Air")
    organisation = entries["i2"].entities.get().organisation
    pages = {**pages, "organisation": organisation.get_absolute_url()}
    draft = make_incident(make_pattern(entries["d2"]), title="Epsilon incident")
    draft.state = State.DRAFT
    draft.save()
    add_entity(draft, name="Skyline Air")
    warm(client, pages)
    services.publish(draft, by=reviewer)
    check(
        client,
        pages,
        # i2 names the same organisation: Epsilon joins its similar incidents.
        fresh=["i2", "organisation", "home", "incident list"],
        cached=["i1", "p1", "p2", "p3", "s1", "s2", "t1", "t2"],
        shows=[("i2", "Epsilon incident"), ("organisation", "Epsilon incident")],
    )
