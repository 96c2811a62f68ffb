"""Who may open what: every URL pattern of the site, for every role.

Each pattern in the URLconf must match a rule below; a new URL without a rule
fails the test, so access is decided on purpose, not by accident.
"""

import re
from urllib.parse import urlsplit

import pytest
import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import URLPattern, URLResolver, get_resolver
from reversion.models import Version

from contributions import services as contributions
from downloads import builder
from editorial import services
from editorial.models import EditorialEntry
from editorial.roles import ADMINISTRATOR, AUTHOR, REVIEWER
from glossary.models import Category, Term
from incidents.models import (
    DIMENSIONS,
    AffectedGroup,
    CausalFactor,
    Domain,
    Framework,
    Incident,
    Organisation,
    ThreatPattern,
)
from outbox.models import OutboxMessage
from subscriptions import services as subscriptions
from subscriptions import tokens
from tests.factories import (
    add_entity,
    add_source,
    make_domain,
    make_incident,
    make_pattern,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "author", "reviewer", "administrator")
LOGIN = 302  # redirect to the admin login page


def everyone(status):
    return dict.fromkeys(ROLES, status)


def staff(status, *, anonymous=LOGIN):
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], status)}


def only(admin_status, *, others=403, reviewer=None):
    return {
        "anonymous": LOGIN,
        "author": others,
        "reviewer": others if reviewer is None else reviewer,
        "administrator": admin_status,
    }


CONTENT_VIEWS = {
    "changelist": staff(200),
    "add": staff(200),
    "change": staff(200),
    "history": staff(200),
    "compare": staff(200),
    "view_revision": staff(200),
    "preview": staff(200),
    "recoverlist": staff(200),
    "revision": staff(200),
    "delete": only(200),
    "workflow": staff(405),
    "recover": staff(200),
    "redirect": staff(302),
}
RESTRICTED_VIEWS = {  # models only administrators manage (users, groups)
    name: only(200) for name in ("changelist", "add", "change", "history", "delete")
} | {"password_change": only(200), "redirect": staff(302)}
SUBMISSION_VIEWS = {  # readers' submissions: every editor triages, none adds
    "changelist": staff(200),
    "change": staff(200),
    "history": staff(200),
    "add": staff(403),
    "delete": only(200),
    "triage": staff(405),
    "redirect": staff(302),
}
OUTBOX_VIEWS = {  # outgoing mail: administrators watch it, nobody edits it
    name: only(200) for name in ("changelist", "change", "history")
} | {"add": only(403), "delete": only(403), "redirect": staff(302)}
SUBSCRIBER_VIEWS = {  # readers' addresses: administrators see and delete them
    name: only(200) for name in ("changelist", "change", "history", "delete")
} | {"add": only(403), "redirect": staff(302)}
LOCKOUT_VIEWS = {  # django-axes records: administrators unlock editors
    name: only(200) for name in ("changelist", "change", "history", "delete")
} | {"add": only(403), "redirect": staff(302)}

RULES = [
    (r"^admin:index$", staff(200)),
    (r"^admin:login$", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    (r"^admin:logout$", staff(405)),
    (r"^admin:password_change(_done)?$", staff(200)),
    (r"^admin:autocomplete$", staff(200)),
    (r"^admin:jsi18n$", staff(200)),
    (r"^admin:view_on_site$", staff(302)),
    (r"^admin:app_list$", staff(200)),
    (r"^audit_log$", only(200, reviewer=200)),
    (r"^import_entries$", staff(200)),
    (r"^markdown_preview$", staff(405)),  # POST only; tests/editorial covers it
    (r"^overview:digest_index$", everyone(302)),  # to the latest year
    (r"^api:not_found$", everyone(404)),  # any other address under /api/
    (r"^downloads:latest$", everyone(302)),  # to the newest snapshot's file
    (
        r"^(api|editorial|glossary|overview|incidents|contributions|subscriptions"
        r"|downloads):",
        everyone(200),
    ),
    (r"^(sitemap|security:healthz)$", everyone(200)),
]


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else (pattern.namespace)
                )
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            full = f"{namespace}:{name}" if namespace and name else name
            yield prefix + str(pattern.pattern), full


ADMIN_MODEL = re.compile(r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z]+)_(?P<view>\w+)$")


def expectation(route: str, name: str | None):
    """Return the expected status per role, or None when no rule covers the URL."""
    if name is None:
        if route == "admin/(?P<url>.*)$":
            return staff(404)  # the admin's catch-all: unknown admin pages
        match = re.match(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<path", route)
        if match is None:
            return None
        name = f"admin:{match['app']}_{match['model']}_redirect"
    for pattern, expected in RULES:
        if re.search(pattern, name):
            return expected
    # The worker's task results (django-tasks-db): no editorial role is given
    # their permissions yet, so every role is refused; the site has no task
    # result, so the per-object views send everyone back to the admin index.
    task_admin = re.match(r"^admin:django_tasks_database_dbtaskresult_(\w+)$", name)
    if task_admin:
        if task_admin[1] == "redirect":
            return staff(404)
        per_object = ("change", "history", "delete")
        return staff(302) if task_admin[1] in per_object else staff(403)
    admin_model = ADMIN_MODEL.match(name)
    if admin_model:
        app, view = admin_model["app"], admin_model["view"]
        table = {
            "auth": RESTRICTED_VIEWS,
            "axes": LOCKOUT_VIEWS,
            "contributions": SUBMISSION_VIEWS,
            "outbox": OUTBOX_VIEWS,
            "subscriptions": SUBSCRIBER_VIEWS,
            "glossary": CONTENT_VIEWS,
            "incidents": CONTENT_VIEWS,
        }.get(app, {})
        return table.get(view)
    return None


@pytest.fixture
def site():
    """One entry of everything, published with a revision, and a deleted term."""
    reviewer = make_user("system-reviewer", role=REVIEWER)
    domain = make_domain(code="DOM-SEC", slug="security-cyber")
    pattern = make_pattern(domain, code="PAT-SEC-001", slug="prompt-injection")
    incident = make_incident(pattern, narrative="See [1].", date_occurred="2023-02")
    add_source(incident)
    add_entity(incident, name="Acme")
    term = make_term(slug="prompt-injection")
    objects = {"domain": domain, "threatpattern": pattern, "incident": incident}
    objects["term"] = term
    objects["category"] = term.category
    for model in DIMENSIONS.values():
        extra = {"category": "individuals"} if model is AffectedGroup else {}
        if model is CausalFactor:
            extra = {"code": "CAUSE-001", "category": "design_development"}
        value = model.objects.create(
            name=model.__name__, slug=model.url_prefix, state="published", **extra
        )
        getattr(incident, model.incident_field).add(value)
        objects[model._meta.model_name] = value
    objects["framework"] = Framework.objects.create(name="EU AI Act", slug="eu-ai-act")
    objects["organisation"] = Organisation.objects.get(name="Acme")
    for entry in objects.values():
        if isinstance(entry, EditorialEntry):
            services.publish(entry, by=reviewer)
        else:
            with reversion.create_revision():
                entry.save()
    _delete_one_of_each(reviewer, pattern, objects)
    objects["snapshot"] = builder.build()
    objects["submission"], objects["submission_token"] = contributions.receive(
        kind="report", title="A report", source_urls="https://example.org/r"
    )
    subscriber = subscriptions.follow("reader@example.org", "weekly").subscriber
    objects["subscription_token"] = path_of(tokens.link(subscriber))
    objects["subscriber"] = subscriber
    objects["outboxmessage"] = OutboxMessage.objects.create(
        key="matrix", to="reader@example.org", subject="Hello", text_body="Hi."
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        row = model.objects.create(
            user_agent="test",
            ip_address="192.0.2.1",
            username="someone",
            http_accept="*/*",
            path_info="/admin/login/",
            **({"failures_since_start": 1} if model is AccessAttempt else {}),
        )
        objects[model._meta.model_name] = row
    return objects


def path_of(url: str) -> str:
    return urlsplit(url).path


def _delete_one_of_each(reviewer, pattern, objects) -> None:
    """Delete a throwaway entry of every admin model, so each can be recovered."""
    throwaways = [
        make_term(slug="gone"),
        make_domain(code="DOM-ZZZ", slug="gone"),
        make_pattern(pattern.domain, code="PAT-SEC-999", slug="gone"),
        make_incident(pattern, slug="gone"),
    ]
    for model in DIMENSIONS.values():
        extra = {"category": "individuals"} if model is AffectedGroup else {}
        if model is CausalFactor:
            extra = {"code": "CAUSE-999", "category": "design_development"}
        throwaways.append(model.objects.create(name="Gone", slug="gone", **extra))
    throwaways.append(Organisation.objects.create(name="Gone", slug="gone"))
    for entry in throwaways:
        services.delete(entry, by=reviewer)
    for model in (Category, Framework):
        with reversion.create_revision():
            gone = model.objects.create(name="Gone", slug="gone")
        gone.delete()
    for model in (
        Term,
        Category,
        Framework,
        Organisation,
        Incident,
        Domain,
        ThreatPattern,
        *DIMENSIONS.values(),
    ):
        deleted = Version.objects.get_deleted(model).first()
        objects[f"deleted:{model._meta.model_name}"] = deleted


def concrete_url(route: str, name: str | None, site, users) -> str:
    """Turn a URL pattern into an address of a real object of the right kind."""
    if name is None and route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    incident = site["incident"]
    specific = {
        "api:incident": f"/api/incidents/{incident.code}.json",
        "api:term": "/api/glossary/prompt-injection.json",
        "api:pattern": "/api/patterns/PAT-SEC-001.json",
        "api:domain": "/api/domains/DOM-SEC.json",
        "api:not_found": "/api/no-such-endpoint.json",
        "api:organisation": "/api/organisations/acme.json",
        "incidents:organisation_detail": "/organisations/acme/",
        "downloads:latest": "/downloads/latest/incidents.json",
        "downloads:file": f"/downloads/{site['snapshot'].folder}/incidents.csv",
        "incidents:incident_detail": incident.get_absolute_url(),
        "incidents:domain_detail": "/domains/security-cyber/",
        "incidents:pattern_detail": "/patterns/prompt-injection/",
        "glossary:detail": "/glossary/prompt-injection/",
        "incidents:dimension_list": "/sectors/",
        "incidents:dimension_detail": "/sectors/sectors/",
        "overview:digest": "/digests/2023/",
        "contributions:correction": "/submit/correction/?page=/glossary/"
        "prompt-injection/",
        "contributions:status": f"/submit/status/{site['submission_token']}/",
        "subscriptions:follow": "/follow/?target=weekly",
        "subscriptions:manage": site["subscription_token"],
        "subscriptions:confirm": f"{site['subscription_token']}confirm/",
        "subscriptions:unsubscribe": f"{site['subscription_token']}unsubscribe/",
        "editorial:entry_changes": f"/changes/glossary.term/{site['term'].pk}/",
        "admin:view_on_site": "/admin/r/{}/{}/".format(
            *_content_type_and_id(site["term"])
        ),
        "admin:app_list": "/admin/glossary/",
        "admin:autocomplete": "/admin/autocomplete/?app_label=glossary"
        "&model_name=term&field_name=related_terms",
    }
    if name in specific:
        return specific[name]
    model_name = re.match(r"^admin/[a-z]+/([a-z]+)/", route)
    model_name = model_name[1] if model_name else None
    entry = {
        "user": users["author"],
        "group": users["author"].groups.first(),
    }.get(model_name, site.get(model_name))
    object_id = str(entry.pk) if entry is not None else ""
    version_id = ""
    if name and name.endswith("_recover"):
        version_id = str(site[f"deleted:{model_name}"].pk)
    elif isinstance(entry, EditorialEntry | Category | Framework):
        version_id = str(Version.objects.get_for_object(entry).first().pk)
    url = route.replace(
        "^([^/]+)/history/(\\d+)/$", f"{object_id}/history/{version_id}/"
    )
    url = url.replace("^recover/(\\d+)/$", f"recover/{version_id}/")
    url = url.replace("^recover/$", "recover/")
    fills = {
        "object_id": object_id,
        "id": object_id,
        "version_id": version_id,
        "action": "submit",
    }
    for key, value in fills.items():
        url = re.sub(rf"<(\w+:)?{key}>", value, url)
    assert "<" not in url and "(" not in url, (route, url)
    return "/" + url


def _content_type_and_id(entry):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(entry).pk, entry.pk


def test_every_url_has_an_access_rule():
    missing = [
        (route, name)
        for route, name in walk(get_resolver().url_patterns)
        if expectation(route, name) is None
    ]
    assert not missing, f"URLs without an access rule: {missing}"


def test_access_matrix(client, site, settings):
    settings.DEBUG = False
    users = {
        "author": make_user("matrix-author", role=AUTHOR),
        "reviewer": make_user("matrix-reviewer", role=REVIEWER),
        "administrator": make_user("matrix-admin", role=ADMINISTRATOR),
    }
    failures = []
    for route, name in walk(get_resolver().url_patterns):
        expected = expectation(route, name)
        url = concrete_url(route, name, site, users)
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            status = client.get(url).status_code
            if status != expected[role]:
                failures.append(
                    f"{role:>13} {url} ({name}): {status}, expected {expected[role]}"
                )
    assert not failures, "\n".join(failures)
