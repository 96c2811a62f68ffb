"""The triage queue: readers' submissions for editors (authors and reviewers).

Everything a reader typed is shown escaped, as text; links only for http(s)
addresses. Every action goes through `services`, one audit event each.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from incidents.models import Incident, ThreatPattern

from . import hints, services
from .models import Submission

SAFE_SCHEMES = ("http://", "https://")


def safe_links(urls: list[str]):
    """Return the URLs as HTML: links for http(s), plain text otherwise."""
    return format_html_join(
        "",
        "<li>{}</li>",
        (
            (
                format_html(
                    '<a href="{}" rel="noopener noreferrer nofollow">{}</a>', u, u
                )
                if u.lower().startswith(SAFE_SCHEMES)
                else u,
            )
            for u in urls
        ),
    )


class ClaimFilter(admin.SimpleListFilter):
    title = "claimed by"
    parameter_name = "claimed"

    def lookups(self, request, model_admin):
        return [("mine", "Mine"), ("unassigned", "Unassigned"), ("others", "Others'")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(claimed_by=request.user)
        if self.value() == "unassigned":
            return queryset.filter(claimed_by=None)
        if self.value() == "others":
            return queryset.exclude(claimed_by=None).exclude(claimed_by=request.user)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = "open or closed"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("open", "Open (new, in triage)"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "closed":
            return queryset.closed()
        return queryset


class TriageActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        label="Reason (for reject)",
        widget=forms.TextInput(attrs={"size": 40}),
    )


class DraftForm(forms.Form):
    primary_pattern = forms.ModelChoiceField(
        queryset=ThreatPattern.objects.order_by("code"),
        help_text="The pattern that best describes it; you can change it later.",
    )
    severity = forms.ChoiceField(choices=Incident._meta.get_field("severity").choices)
    status = forms.ChoiceField(
        choices=Incident.Status.choices, initial=Incident.Status.ALLEGED
    )
    evidence_level = forms.ChoiceField(
        choices=Incident.Evidence.choices, initial=Incident.Evidence.SINGLE_SOURCE
    )
    impact_level = forms.ChoiceField(
        choices=Incident.Impact.choices, initial=Incident.Impact.INDIVIDUAL
    )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "kind",
        "status",
        "summary",
        "claimed_by",
        "age",
        "target_or_result",
    )
    list_display_links = ("reference", "summary")
    list_filter = (OpenFilter, "status", "kind", ClaimFilter)
    list_select_related = ("claimed_by",)
    search_fields = ("title", "description", "source_urls", "target_repr")
    action_form = TriageActionForm
    view_on_site = False  # a submission has no public page
    actions = ("mark_spam_selected", "reject_selected", "claim_selected")
    change_form_template = "admin/contributions/submission/change_form.html"
    fieldsets = (
        (
            "Triage",
            {
                "fields": (
                    "kind",
                    "status",
                    "claimed_by",
                    "received_at",
                    "closed_at",
                    "target_repr",
                    "outcome_note",
                    "outcome_emailed_at",
                )
            },
        ),
        (
            "Submitter (deleted after the retention period)",
            {
                "fields": (
                    "submitter_name",
                    "submitter_email",
                    "contact_consent",
                    "personal_data_deleted_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return [f for fs in self.fieldsets for f in fs[1]["fields"]]

    def has_add_permission(self, request):
        return False  # submissions come from readers only

    @admin.display(description="reference", ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="submitted")
    def summary(self, obj):
        text = obj.title or obj.description
        return text[:80] + ("…" if len(text) > 80 else "")

    @admin.display(description="age", ordering="received_at")
    def age(self, obj):
        return timesince(obj.received_at, timezone.now()).split(",")[0]

    @admin.display(description="target / outcome")
    def target_or_result(self, obj):
        result = obj.result
        if result is not None:
            return str(result)[:80]
        return obj.target_repr[:80]

    # Bulk actions

    def _each(self, request, queryset, action, verb):
        done, refused = 0, []
        for submission in queryset:
            try:
                action(submission)
                done += 1
            except services.TriageError as error:
                refused.append(str(error))
        if done:
            self.message_user(request, f"{verb} {done} submissions.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Mark the selected submissions as spam")
    def mark_spam_selected(self, request, queryset):
        self._require_triage(request)
        self._each(
            request,
            queryset,
            lambda s: services.mark_spam(s, by=request.user),
            "Marked as spam",
        )

    @admin.action(description="Reject the selected submissions (give a reason)")
    def reject_selected(self, request, queryset):
        self._require_triage(request)
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(
                request, "Give a reason to reject: submitters see it.", messages.ERROR
            )
            return
        self._each(
            request,
            queryset,
            lambda s: services.reject(s, by=request.user, reason=reason),
            "Rejected",
        )

    @admin.action(description="Claim the selected submissions")
    def claim_selected(self, request, queryset):
        self._require_triage(request)
        self._each(
            request, queryset, lambda s: services.claim(s, by=request.user), "Claimed"
        )

    def _require_triage(self, request):
        if not request.user.has_perm("contributions.change_submission"):
            raise PermissionDenied

    # The submission page and its actions

    def get_urls(self):
        return [
            path(
                "<path:object_id>/triage/<slug:action>/",
                self.admin_site.admin_view(self.triage_view),
                name="contributions_submission_triage",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, unquote(object_id))
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        if submission is not None:
            context.update(
                {
                    "submission": submission,
                    "hints": hints.for_submission(submission)
                    if submission.kind == Submission.Kind.REPORT
                    else [],
                    "submitted_links": safe_links(submission.urls()),
                    "draft_form": DraftForm(prefix="draft"),
                    "can_triage": request.user.has_perm(
                        "contributions.change_submission"
                    ),
                    "target_admin_url": _admin_url(submission.target),
                    "result_admin_url": _admin_url(submission.result),
                }
            )
        return super().change_view(request, object_id, form_url, context)

    def triage_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._require_triage(request)
        submission = get_object_or_404(Submission, pk=unquote(object_id))
        user, post = request.user, request.POST
        back = reverse("admin:contributions_submission_change", args=[submission.pk])
        try:
            if action == "claim":
                services.claim(submission, by=user)
                done = "Claimed: it is yours to triage."
            elif action == "draft":
                form = DraftForm(post, prefix="draft")
                if not form.is_valid():
                    raise services.TriageError(
                        "Choose a pattern, severity, status, evidence and impact."
                    )
                incident = services.create_draft_incident(
                    submission, by=user, **form.cleaned_data
                )
                self.message_user(
                    request,
                    f"Drafted {incident.code} from {submission.reference}: check "
                    "it, then submit it for review.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(_admin_url(incident))
            elif action == "add-source":
                incident = _incident(post.get("incident", ""))
                services.add_as_source(submission, by=user, incident=incident)
                self.message_user(
                    request,
                    f"The report's links are a change to {incident.code}; submit it "
                    "for review.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(_admin_url(incident))
            elif action == "correct":
                services.accept_correction(submission, by=user)
                url = _admin_url(submission.target)
                return HttpResponseRedirect(f"{url}?suggestion={submission.pk}")
            elif action == "duplicate":
                incident = _incident(post.get("incident", ""))
                services.mark_duplicate(submission, by=user, incident=incident)
                done = f"Marked as a duplicate of {incident.code}."
            elif action == "reject":
                services.reject(submission, by=user, reason=post.get("reason", ""))
                done = "Rejected; the submitter sees your reason."
            elif action == "spam":
                services.mark_spam(submission, by=user)
                done = "Marked as spam."
            else:
                raise Http404("Unknown triage action.")
        except services.TriageError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(back)


def _incident(code: str) -> Incident:
    code = code.strip().upper()
    incident = Incident.objects.filter(code=code).first()
    if incident is None:
        raise services.TriageError(f"No incident has the code “{code[:20]}”.")
    return incident


def _admin_url(entry) -> str:
    if entry is None:
        return ""
    opts = entry._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])
