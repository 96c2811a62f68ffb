"""Readers' addresses for administrators: who follows what; delete on request.

Read-only but for deletion (a reader asking to be forgotten); the private link
is never shown, since it is not stored.
"""

from django.contrib import admin
from django.db.models import Count

from . import services, targets
from .models import Subscriber, Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = ("what", "created_at", "confirmed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="follows")
    def what(self, obj: Subscription) -> str:
        return targets.describe(obj.target)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "created_at", "confirmed_at", "follows")
    list_filter = (("confirmed_at", admin.EmptyFieldListFilter),)
    search_fields = ("email",)
    fields = ("email", "created_at", "confirmed_at")
    readonly_fields = fields
    inlines = [SubscriptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(follows=Count("subscriptions"))

    @admin.display(ordering="follows")
    def follows(self, obj) -> int:
        return obj.follows

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        services.forget(obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for subscriber in queryset:
            services.forget(subscriber, by=request.user)
