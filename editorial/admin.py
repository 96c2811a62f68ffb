"""Admin for entries with the editorial life cycle.

Saving an unpublished entry writes its row and records a revision. Saving a
published entry runs the same form on the live rows inside a transaction,
captures the result as a pending change, and rolls the live rows back, so
readers keep seeing the published version until a reviewer approves.
"""

import datetime
from contextlib import contextmanager

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import (
    audit,
    diffs,
    history,
    markdown_preview,
    previews,
    rendering,
    services,
    snapshots,
    status,
    widgets,
)
from .forms import EditorialForm
from .models import Change, State

EDITORIAL_FIELDS = (
    "state",
    "first_published",
    "last_updated",
    "last_reviewed",
    "expires_at",
    "created_at",
    "updated_at",
)
WORKFLOW_FORM_FIELDS = ("change_summary", "minor", "base_version")

#: Panels shown above an entry's edit form by apps built on editorial (a
#: reader's suggested correction beside the form): callables taking the request
#: and the entry and returning None or a pair of a template name and its context.
edit_form_panels: list = []


class _Discard(Exception):
    """Leave the transaction, rolling back everything, and return the response."""

    def __init__(self, response: HttpResponse):
        self.response = response


class _Captured(Exception):
    """The edit of a published entry was saved and captured; roll it back."""

    def __init__(self, content, *, summary: str, minor: bool, action: str | None):
        self.content, self.summary, self.minor = content, summary, minor
        self.action = action


@admin.display(description="state", ordering="state")
def state_badge(entry) -> str:
    label = status.short_label(entry.state, getattr(entry, "open_change_status", None))
    return format_html(
        '<span class="state-badge state-{}">{}</span>', entry.state, label
    )


def bulk_action(service, verb: str, description: str):
    """Return an admin action applying a service to each selected entry in turn."""

    @admin.action(description=description)
    def action(model_admin, request, queryset):
        model_admin._each(
            request, queryset, lambda entry: service(entry, by=request.user), verb
        )

    action.__name__ = f"{service.__name__}_selected"
    return action


class ChangeStatusFilter(admin.SimpleListFilter):
    """Filter by the open change: drafts, in review, sent back, pending, scheduled."""

    title = "open change"
    parameter_name = "change"

    def lookups(self, request, model_admin):
        return [
            ("none", "No open change"),
            ("pending", "Published, with pending changes"),
            *Change.Status.choices,
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(open_change_status=None)
        if value == "pending":
            return queryset.filter(state=State.PUBLISHED).exclude(
                open_change_status=None
            )
        if value in Change.Status.values:
            return queryset.filter(open_change_status=value)
        return queryset


EDITORIAL_FILTERS = ("state", ChangeStatusFilter)


class EditorialAdmin(VersionAdmin):
    """Admin for an entry with the editorial life cycle and reversion history."""

    form = EditorialForm
    change_form_template = "admin/editorial/change_form.html"
    list_filter = EDITORIAL_FILTERS
    list_per_page = 50
    show_full_result_count = False
    history_latest_first = True
    readonly_fields = EDITORIAL_FIELDS
    actions = ("approve_selected", "unpublish_selected", "archive_selected")

    # Layout

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Autocomplete pickers name their selected rows from the form's own read."""
        if db_field.name in self.get_autocomplete_fields(request) and (
            "widget" not in kwargs
        ):
            kwargs["widget"] = widgets.KnownAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Mark each markdown field for the live preview beside it."""
        form = super().get_form(request, obj, change, **kwargs)
        opts = self.model._meta
        for name, field in form.base_fields.items():
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            kind = markdown_preview.field_kind(model_field)
            if kind is not None:
                field.widget.attrs.update(
                    {
                        "data-markdown-preview": kind,
                        "data-preview-url": reverse("markdown_preview"),
                        "data-preview-model": opts.label_lower,
                        "data-preview-object": obj.pk if obj is not None else "",
                    }
                )
        return form

    def get_fieldsets(self, request, obj=None):
        content = [
            name
            for name in self.get_fields(request, obj)
            if name not in (*EDITORIAL_FIELDS, *WORKFLOW_FORM_FIELDS)
        ]
        return [
            (None, {"fields": content}),
            ("Your change", {"fields": WORKFLOW_FORM_FIELDS}),
            ("Editorial", {"fields": EDITORIAL_FIELDS, "classes": ["collapse"]}),
        ]

    def get_queryset(self, request):
        content_type = ContentType.objects.get_for_model(self.model)
        status = Change.objects.filter(
            content_type=content_type, object_id=OuterRef("pk")
        ).values("status")[:1]
        queryset = (
            super().get_queryset(request).annotate(open_change_status=Subquery(status))
        )
        return self.visible_to(request.user, queryset, content_type)

    @staticmethod
    def visible_to(user, queryset, content_type):
        """Authors see what is public and the drafts they work on, not others'."""
        if user.has_perm("editorial.review_change") or user.has_perm(
            "editorial.view_other_drafts"
        ):
            return queryset
        own = Change.objects.filter(content_type=content_type).filter(
            Q(author=user) | Q(editors=user)
        )
        return queryset.filter(
            Q(state__in=(State.PUBLISHED, State.ARCHIVED))
            | Q(pk__in=own.values("object_id"))
        )

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/workflow/<slug:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name=f"{name}_workflow",
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{name}_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/view/",
                self.admin_site.admin_view(self.view_revision_view),
                name=f"{name}_view_revision",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{name}_preview",
            ),
            *super().get_urls(),
        ]

    def get_view_on_site_url(self, obj=None):
        """Offer "View on site" only when the entry has a public page."""
        if obj is None or not obj.is_published:
            return None
        return super().get_view_on_site_url(obj)

    # Saving

    def add_view(self, request, form_url="", extra_context=None):
        context = {**(extra_context or {}), "editorial_offer_save_and_submit": True}
        return admin.ModelAdmin.add_view(self, request, form_url, context)

    def response_add(self, request, obj, post_url_continue=None):
        if "_submit" in request.POST:
            return self._redirect_after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_submit" in request.POST:
            return self._redirect_after_save(request, obj)
        return super().response_change(request, obj)

    def get_object(self, request, object_id, from_field=None):
        """Read the entry once per request (the change view and its form share it)."""
        cached = getattr(request, "_editorial_object", None)
        if (
            cached is not None
            and from_field is None
            and type(cached) is self.model
            and str(cached.pk) == str(object_id)
        ):
            return cached
        entry = super().get_object(request, object_id, from_field)
        if entry is not None and from_field is None:
            request._editorial_object = entry
        return entry

    @contextmanager
    def _held_for_saving(self, request, object_id):
        """On a save, hold the entry's row from the version check to the write.

        Two editors saving at once would otherwise both pass the check against
        the version they opened, and the later write would silently replace
        the earlier one (drafts), or both would open a pending change.
        """
        if request.method != "POST":
            yield
            return
        with transaction.atomic():
            services.lock_for_edit(self.model, object_id)
            yield

    def change_view(self, request, object_id, form_url="", extra_context=None):
        with self._held_for_saving(request, unquote(object_id)):
            return self._change_view(request, object_id, form_url, extra_context)

    def _change_view(self, request, object_id, form_url, extra_context):
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            return self._get_obj_does_not_exist_redirect(
                request, self.model._meta, object_id
            )
        change = services.open_change(entry)
        base = change.snapshot if change and change.is_pending else None
        context = {
            **(extra_context or {}),
            # A POST that saves redirects: the comparison is only worked out
            # for a page that shows it.
            **self.workflow_context(
                request, entry, change, compare=request.method != "POST"
            ),
            "editorial_offer_save_and_submit": change is None
            or services.may_submit(change, request.user),
        }
        context["editorial_panels"] = [
            panel
            for panel in (make(request, entry) for make in edit_form_panels)
            if panel
        ]
        return self._edit(request, entry, object_id, form_url, context, base=base)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Open an old revision in the form; saving it reverts, reviewed as usual."""
        with self._held_for_saving(request, unquote(object_id)):
            return self._revision_view(request, object_id, version_id, extra_context)

    def _revision_view(self, request, object_id, version_id, extra_context):
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404
        version = get_object_or_404(
            Version.objects.get_for_object(entry), pk=version_id
        )
        request.editorial_revert_of = version.revision
        context = {
            **(extra_context or {}),
            "show_save_and_add_another": False,
            "editorial_offer_save_and_submit": self._may_submit_on_save(request, entry),
            "title": f"Revert {entry} to its revision of "
            f"{timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M}",
        }
        return self._edit(
            request, entry, object_id, request.path, context, base=version.revision
        )

    def recover_view(self, request, version_id, extra_context=None):
        """Bring a deleted entry back as a draft, after a confirmation."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_deleted(self.model), pk=version_id
        )
        if request.method == "POST":
            entry = services.recover(self.model, version.revision, by=request.user)
            self.message_user(
                request,
                f"Recovered “{entry}” as a draft; submit it for review to publish.",
                messages.SUCCESS,
            )
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk]
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "version": version,
            "title": f"Recover {version.object_repr}",
        }
        return TemplateResponse(
            request, "admin/editorial/recover_confirm.html", context
        )

    def delete_model(self, request, obj):
        services.delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.delete(entry, by=request.user)

    def _edit(self, request, entry, object_id, form_url, context, *, base):
        request.editorial_pending = entry.is_published
        try:
            with transaction.atomic():
                if base is not None:
                    snapshots.apply(entry, base)
                response = admin.ModelAdmin.changeform_view(
                    self, request, object_id, form_url, context
                )
                if response.status_code == 302 and not entry.is_published:
                    return response  # a draft was saved: keep it
                if hasattr(response, "render"):
                    response.render()
                raise _Discard(response)
        except _Discard as discard:
            return discard.response
        except _Captured as captured:
            live = self.model._default_manager.get(pk=entry.pk)
            services.save_pending(
                live,
                captured.content,
                by=request.user,
                summary=captured.summary,
                minor=captured.minor,
                action=captured.action,
            )
            self.message_user(
                request,
                f"Your change to “{live}” is saved as a pending change. Readers "
                "keep seeing the published version until a reviewer approves it.",
                messages.SUCCESS,
            )
            self._submit_if_asked(request, live)
            return self._redirect_after_save(request, live)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        entry = form.instance
        summary = form.cleaned_data.get("change_summary", "")
        minor = form.cleaned_data.get("minor", False)
        revert = getattr(request, "editorial_revert_of", None)
        if revert is not None:
            when = timezone.localtime(revert.date_created)
            summary = summary or f"Reverted to the revision of {when:%Y-%m-%d %H:%M}"
        changed = (
            not change
            or revert is not None
            or form.content_changed()
            or any(formset.has_changed() for formset in formsets)
        )
        if not changed:
            if getattr(request, "editorial_pending", False):
                self.message_user(request, "Nothing changed, nothing saved.")
                raise _Discard(self._redirect_after_save(request, entry))
            return
        action = audit.Action.EDIT if change else audit.Action.CREATE
        if revert is not None:
            action = audit.Action.REVERT
        if getattr(request, "editorial_pending", False):
            raise _Captured(
                snapshots.capture(entry), summary=summary, minor=minor, action=action
            )
        services.save_draft(
            entry, by=request.user, summary=summary, minor=minor, action=action
        )
        self._submit_if_asked(request, entry)

    @staticmethod
    def _may_submit_on_save(request, entry) -> bool:
        change = services.open_change(entry)
        return change is None or services.may_submit(change, request.user)

    def _submit_if_asked(self, request, entry) -> None:
        """Submit the change just saved when the editor asked to (one step)."""
        if "_submit" not in request.POST:
            return
        try:
            services.submit(entry, by=request.user)
        except services.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, "Submitted for review.", messages.SUCCESS)

    def _redirect_after_save(self, request, entry) -> HttpResponseRedirect:
        opts = self.model._meta
        if any(key in request.POST for key in ("_continue", "_preview", "_submit")):
            name = f"admin:{opts.app_label}_{opts.model_name}_change"
            return HttpResponseRedirect(reverse(name, args=[entry.pk]))
        name = f"admin:{opts.app_label}_{opts.model_name}_changelist"
        return HttpResponseRedirect(reverse(name))

    # Workflow

    def workflow_context(self, request, entry, change, *, compare=True) -> dict:
        actions = services.allowed_actions(entry, request.user, change)
        reviewer = services.can_review(request.user)
        in_review = bool(change and change.status == Change.Status.IN_REVIEW)
        own = bool(
            in_review and reviewer and request.user.pk in services.editor_ids(change)
        )
        diff = None
        if compare and change is not None and change.is_pending:
            diff = diffs.compare(
                type(entry),
                diffs.live_content(entry),
                diffs.revision_content(change.snapshot, entry),
            )
        note = ""
        if compare and "approve" in actions:
            note = services.default_public_note(
                entry, change, [row.name for row in diff] if diff is not None else None
            )
        return {
            "editorial_pending_diff": diff or [],
            "editorial_diff_shown": diff is not None,
            "editorial_entry": entry,
            "editorial_change": change,
            "editorial_state_text": status.describe(entry, change),
            "editorial_default_public_note": note,
            "editorial_actions": actions,
            "editorial_own_change_in_review": own,
        }

    @staticmethod
    def _datetime(value: str) -> datetime.datetime | None:
        if not value:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            raise services.WorkflowError(
                f"“{value}” is not a date and time (use YYYY-MM-DD HH:MM)."
            )
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed

    def workflow_view(self, request: HttpRequest, object_id: str, action: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_change_permission(request, entry):
            raise PermissionDenied
        user = request.user
        post = request.POST
        try:
            if action == "submit":
                services.submit(entry, by=user)
                done = "Submitted for review."
            elif action == "approve":
                go_live = self._datetime(post.get("go_live_at", ""))
                scheduled = services.approve(
                    entry,
                    by=user,
                    go_live_at=go_live,
                    expire_at=self._datetime(post.get("expire_at", "")),
                    comment=post.get("comment", ""),
                    public_note=post.get("public_note", ""),
                )
                done = (
                    f"Approved; it goes live at {timezone.localtime(go_live):%Y-%m-%d %H:%M}."  # noqa: E501
                    if scheduled
                    else "Approved and published."
                )
            elif action == "request-changes":
                services.request_changes(
                    entry, by=user, comment=post.get("comment", "")
                )
                done = "Sent back to the author with your comment."
            elif action == "unpublish":
                services.unpublish(entry, by=user, comment=post.get("comment", ""))
                done = "Unpublished: readers no longer see it."
            elif action == "archive":
                services.archive(entry, by=user, comment=post.get("comment", ""))
                done = "Archived: withdrawn from the public, kept with its history."
            elif action == "confirm-reviewed":
                services.confirm_reviewed(entry, by=user)
                done = "Marked as reviewed and still accurate."
            else:
                raise Http404("Unknown action.")
        except services.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])
        )

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_view_or_change_permission(request, entry):
            raise PermissionDenied
        return previews.render_preview(request, entry)

    # History

    def history_view(self, request, object_id, extra_context=None):
        """List the entry's revisions, newest first, filterable and paged."""
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_view_or_change_permission(request, entry):
            raise PermissionDenied
        history_filter = history.HistoryFilter(
            request.GET, queryset=history.entry_versions(entry)
        )
        page = Paginator(history_filter.qs, history.PER_PAGE).get_page(
            request.GET.get("page")
        )
        query = request.GET.copy()
        query.pop("page", None)
        versions = list(page)
        form = history_filter.form
        filters = form.cleaned_data if form.is_valid() else {}
        rows = history.timeline(
            versions,
            history.workflow_steps(entry, filters),
            newer=versions[0].revision.date_created
            if versions and page.has_previous()
            else None,
            older=versions[-1].revision.date_created
            if versions and page.has_next()
            else None,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": entry,
            "title": f"History: {entry}",
            "filter": history_filter,
            "page_obj": page,
            "rows": rows,
            "query": query.urlencode(),
            "pending_revision_id": getattr(
                services.open_change(entry), "snapshot_id", None
            ),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/editorial/history.html", context)

    def compare_view(self, request, object_id):
        """Compare two revisions of the entry, or a revision with the live row."""
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_view_or_change_permission(request, entry):
            raise PermissionDenied
        versions = history.entry_versions(entry)

        def pick(key):
            value = request.GET.get(key, "live")
            if value == "live":
                return None
            try:
                return versions.get(pk=int(value))
            except (ValueError, Version.DoesNotExist):
                raise Http404("No such revision of this entry.") from None

        old, new = pick("a"), pick("b")
        if old is not None and new is not None and old.pk > new.pk:
            old, new = new, old
        changes, unchanged = history.compare(entry, old, new)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": entry,
            "title": f"Compare revisions: {entry}",
            "old": old,
            "new": new,
            "changes": changes,
            "unchanged": unchanged,
        }
        return TemplateResponse(request, "admin/editorial/compare.html", context)

    def view_revision_view(self, request, object_id, version_id):
        """Show an old revision as its public page; nothing is written."""
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_view_or_change_permission(request, entry):
            raise PermissionDenied
        version = get_object_or_404(history.entry_versions(entry), pk=version_id)
        response = rendering.render_version(request, version)
        if response is None:
            raise Http404("This kind of entry has no public page.")
        return response

    # Bulk actions: one object at a time, through the services.

    def _each(self, request, queryset: QuerySet, action, verb: str) -> None:
        done, refused = 0, []
        for entry in queryset:
            try:
                action(entry)
                done += 1
            except services.WorkflowError as error:
                refused.append(f"{entry}: {error}")
        if done:
            self.message_user(request, f"{verb} {done} entries.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    approve_selected = bulk_action(
        services.approve, "Approved", "Approve the selected changes in review"
    )
    unpublish_selected = bulk_action(
        services.unpublish, "Unpublished", "Unpublish the selected entries"
    )
    archive_selected = bulk_action(
        services.archive, "Archived", "Archive the selected entries"
    )
