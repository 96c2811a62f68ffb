"""Public pages: report an incident, suggest a correction, see what became of it.

None of them is cached anywhere: the forms carry a CSRF token and the status
page a private token (`Cache-Control: private, no-store`).
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from security import ratelimits

from . import hints as duplicate_hints
from . import services
from .forms import CorrectionForm, ReportForm
from .models import Submission
from .targets import entry_for_path

PRIVATE = "private, no-store"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = PRIVATE
    return response


def _refused(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "contributions/refused.html", status=400))


def _hints_for(form) -> list:
    data = form.data
    return duplicate_hints.find(
        urls=[u for u in data.get("source_urls", "").split() if u][:5],
        title=data.get("title", "")[:240],
        occurred=data.get("occurred", "")[:10],
        organisations=data.get("organisations", "").splitlines()[:10],
    )


def _received(submission: Submission, token: str) -> HttpResponse:
    return redirect(f"{submission_status_url(token)}?new=1")


def submission_status_url(token: str) -> str:
    from django.urls import reverse

    return reverse("contributions:status", args=[token])


@never_cache
@csrf_protect
def report(request: HttpRequest) -> HttpResponse:
    """Report an incident: sources, title, date, description, organisations."""
    form = ReportForm(request.POST or None)
    hints = []
    if request.method == "POST":
        if form.is_bot():
            return _refused(request)
        if "check" in request.POST:
            # Without JavaScript: show the hints, keep the input, save nothing.
            context = {
                "form": ReportForm(initial=request.POST.dict()),
                "hints": _hints_for(form),
                "checked": True,
            }
            return _private(render(request, "contributions/report.html", context))
        wait = ratelimits.exceeded(
            request, "contributions.submit", settings.SUBMISSION_RATE
        )
        if wait:
            return ratelimits.too_many(request, wait, "contributions/429.html")
        if form.is_valid():
            data = form.cleaned_data
            data.pop("website", None)
            submission, token = services.receive(kind=Submission.Kind.REPORT, **data)
            return _received(submission, token)
        hints = _hints_for(form)
    return _private(
        render(request, "contributions/report.html", {"form": form, "hints": hints})
    )


@never_cache
@csrf_protect
def correction(request: HttpRequest) -> HttpResponse:
    """Suggest a correction to the published entry whose page sent the reader."""
    page = request.GET.get("page", "")[:300]
    entry = entry_for_path(page) if page.startswith("/") else None
    if entry is None:
        raise Http404("Suggest a correction from the page of a published entry.")
    form = CorrectionForm(request.POST or None)
    if request.method == "POST":
        if form.is_bot():
            return _refused(request)
        wait = ratelimits.exceeded(
            request, "contributions.submit", settings.SUBMISSION_RATE
        )
        if wait:
            return ratelimits.too_many(request, wait, "contributions/429.html")
        if form.is_valid():
            data = form.cleaned_data
            data.pop("website", None)
            submission, token = services.receive(
                kind=Submission.Kind.CORRECTION, target=entry, **data
            )
            return _received(submission, token)
    return _private(
        render(
            request,
            "contributions/correction.html",
            {"form": form, "entry": entry, "page": page},
        )
    )


def hints(request: HttpRequest) -> JsonResponse:
    """Published incidents that look like the one being reported, as JSON."""
    wait = ratelimits.exceeded(
        request, "contributions.hints", settings.SUBMISSION_HINTS_RATE
    )
    if wait:
        response = JsonResponse({"error": "Too many requests."}, status=429)
        response["Retry-After"] = str(wait)
        return _private(response)
    get = request.GET
    found = duplicate_hints.find(
        urls=[u for u in get.getlist("url") if u][:5],
        title=get.get("title", "")[:240],
        occurred=get.get("occurred", "")[:10],
        organisations=get.get("organisations", "").splitlines()[:10],
    )
    response = JsonResponse({"hints": [hint.as_json() for hint in found]})
    return _private(response)


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The submitter's private page: where the submission is, and its outcome."""
    submission = Submission.objects.with_token(token[:100]).first()
    if submission is None:
        raise Http404("No submission has this status link.")
    context = {
        "submission": submission,
        "entry": submission.public_result(),
        "new": request.GET.get("new") == "1",
        "status_url": request.build_absolute_uri(request.path),
    }
    response = render(request, "contributions/status.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)
