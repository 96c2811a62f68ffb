"""Admin building blocks shared by every editorial entry type."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from . import services
from .models import State

EDITORIAL_FIELDS = (
    "state",
    "first_published",
    "last_updated",
    "last_reviewed",
    "created_at",
    "updated_at",
)


@admin.display(description="state", ordering="state")
def state_badge(entry) -> str:
    return format_html(
        '<span class="state-badge state-{}">{}</span>',
        entry.state,
        entry.get_state_display(),
    )


class EditorialAdmin(VersionAdmin):
    """Admin for an entry with the editorial life cycle and reversion history."""

    list_filter = ("state",)
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = EDITORIAL_FIELDS
    actions = ("publish_selected", "unpublish_selected")

    def get_fieldsets(self, request, obj=None):
        content = [
            name
            for name in self.get_fields(request, obj)
            if name not in EDITORIAL_FIELDS
        ]
        return [
            (None, {"fields": content}),
            ("Editorial", {"fields": EDITORIAL_FIELDS, "classes": ["collapse"]}),
        ]

    @admin.action(description="Publish the selected entries")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for entry in queryset:
            services.publish(entry, by=request.user)
            count += 1
        self.message_user(request, f"Published {count} entries.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected entries")
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for entry in queryset.filter(state=State.PUBLISHED):
            services.unpublish(entry, by=request.user)
            count += 1
        self.message_user(request, f"Unpublished {count} entries.", messages.SUCCESS)
