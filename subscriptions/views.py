"""Follow, confirm, manage, unsubscribe. Never cached (`private, no-store`).

Only the one-click unsubscribe endpoint is CSRF-exempt: mail clients POST
`List-Unsubscribe=One-Click` to it without a session (RFC 8058); it can only
stop mail to the address the private link belongs to.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from security import ratelimits

from . import services, targets
from .forms import FollowForm
from .models import Subscriber

PRIVATE = "private, no-store"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = PRIVATE
    response["Referrer-Policy"] = "no-referrer"
    return response


def _subscriber(token: str) -> Subscriber:
    subscriber = services.by_token(token)
    if subscriber is None:
        raise Http404("No subscription has this link.")
    return subscriber


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """Ask for an address to follow one target; the Follow buttons lead here."""
    data = request.POST if request.method == "POST" else None
    target = (request.POST or request.GET).get("target", "")[:120]
    entry = targets.published_entry(target) if target not in targets.SITE_WIDE else None
    if target not in targets.SITE_WIDE and entry is None:
        raise Http404("Nothing to follow here.")
    initial = {"target": target, "email": request.GET.get("email", "")[:254]}
    form = FollowForm(data, initial=initial)
    if data is not None:
        if form.data.get("website"):
            return _private(render(request, "subscriptions/sent.html", status=400))
        wait = ratelimits.exceeded(
            request, "subscriptions.follow", settings.FOLLOW_RATE
        )
        if wait:
            return ratelimits.too_many(request, wait, "subscriptions/429.html")
        if form.is_valid():
            services.follow(form.cleaned_data["email"], target)
            return redirect("subscriptions:sent")
    context = {
        "form": form,
        "what": targets.describe(target, entry),
        "entry": entry,
    }
    return _private(render(request, "subscriptions/follow.html", context))


@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "subscriptions/sent.html"))


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A button, not the link itself: mail scanners open links, people press."""
    subscriber = _subscriber(token)
    if request.method == "POST":
        services.confirm(subscriber)
        return redirect(reverse("subscriptions:manage", args=[token]) + "?confirmed=1")
    pending = subscriber.subscriptions.filter(confirmed_at__isnull=True)
    context = {"subscriber": subscriber, "pending": _rows(pending), "token": token}
    return _private(render(request, "subscriptions/confirm.html", context))


def _rows(subscriptions) -> list[dict]:
    return [
        {"target": s.target, "what": targets.describe(s.target), "id": s.pk}
        for s in subscriptions.order_by("created_at", "pk")
    ]


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Everything an address follows, each with a box to keep or stop it."""
    subscriber = _subscriber(token)
    if request.method == "POST":
        if "stop_all" in request.POST:
            services.unsubscribe(subscriber, "all")
            return _private(render(request, "subscriptions/stopped.html"))
        kept = {t[:120] for t in request.POST.getlist("keep")}
        services.keep_only(subscriber, kept)
        return redirect(reverse("subscriptions:manage", args=[token]) + "?saved=1")
    confirmed = subscriber.subscriptions.filter(confirmed_at__isnull=False)
    rows = _rows(confirmed)
    following = {row["target"] for row in rows}
    context = {
        "subscriber": subscriber,
        "rows": [r for r in rows if r["target"] not in targets.SITE_WIDE],
        "site_wide": [
            {"target": key, "what": what, "on": key in following}
            for key, what in targets.SITE_WIDE.items()
        ],
        "waiting": subscriber.subscriptions.filter(confirmed_at__isnull=True).count(),
        "token": token,
        "saved": request.GET.get("saved") == "1",
        "confirmed": request.GET.get("confirmed") == "1",
    }
    return _private(render(request, "subscriptions/manage.html", context))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (the button, or a mail client's one-click) stops."""
    scope = request.GET.get("scope", "all")
    if scope not in services.SCOPES:
        scope = "all"
    subscriber = services.by_token(token)
    if request.method == "POST":
        if subscriber is not None:
            services.unsubscribe(subscriber, scope)
        # The same answer for a link already used: there is nothing left to stop.
        context = {"what": services.SCOPES[scope]}
        return _private(render(request, "subscriptions/unsubscribed.html", context))
    if subscriber is None:
        raise Http404("No subscription has this link.")
    context = {"what": services.SCOPES[scope], "scope": scope, "token": token}
    return _private(render(request, "subscriptions/unsubscribe.html", context))
