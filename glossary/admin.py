from django.contrib import admin
from reversion.admin import VersionAdmin

from editorial.admin import EDITORIAL_FILTERS, EditorialAdmin, state_badge

from .models import Category, Term


@admin.register(Category)
class CategoryAdmin(VersionAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Term)
class TermAdmin(EditorialAdmin):
    list_display = ("term", "category", state_badge, "last_updated")
    list_filter = (*EDITORIAL_FILTERS, "category")
    list_select_related = ("category",)
    search_fields = ("term", "summary")
    prepopulated_fields = {"slug": ("term",)}
    autocomplete_fields = (
        "related_incidents",
        "related_patterns",
        "related_domains",
        "related_terms",
    )
