from django.contrib import admin
from reversion.admin import VersionAdmin

from editorial.admin import EDITORIAL_FILTERS, EditorialAdmin, state_badge

from .forms import IncidentForm, SourceFormSet
from .models import (
    AffectedGroup,
    Asset,
    CausalFactor,
    Domain,
    DomainFramework,
    ExposurePathway,
    Framework,
    HarmType,
    Incident,
    IncidentEntity,
    IncidentSource,
    Organisation,
    PatternFramework,
    Region,
    Sector,
    ThreatPattern,
)


class DimensionAdmin(EditorialAdmin):
    list_display = ("name", "slug", state_badge, "last_updated")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


for model in (Sector, Region, ExposurePathway, Asset, HarmType):
    admin.site.register(model, DimensionAdmin)


@admin.register(AffectedGroup)
class AffectedGroupAdmin(DimensionAdmin):
    list_display = ("name", "category", state_badge, "last_updated")
    list_filter = (*EDITORIAL_FILTERS, "category")


@admin.register(CausalFactor)
class CausalFactorAdmin(DimensionAdmin):
    list_display = ("code", "name", "category", state_badge, "last_updated")
    list_filter = (*EDITORIAL_FILTERS, "category")
    search_fields = ("code", "name")


@admin.register(Framework)
class FrameworkAdmin(VersionAdmin):
    list_display = ("name", "url")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(EditorialAdmin):
    list_display = ("name", "slug", state_badge, "last_updated")
    search_fields = ("name", "aliases", "slug")
    prepopulated_fields = {"slug": ("name",)}


class DomainFrameworkInline(admin.TabularInline):
    model = DomainFramework
    extra = 0
    autocomplete_fields = ("framework",)


class PatternFrameworkInline(admin.TabularInline):
    model = PatternFramework
    extra = 0
    autocomplete_fields = ("framework",)


@admin.register(Domain)
class DomainAdmin(EditorialAdmin):
    list_display = ("code", "short_title", state_badge, "last_updated")
    search_fields = ("code", "title", "short_title")
    prepopulated_fields = {"slug": ("short_title",)}
    inlines = (DomainFrameworkInline,)


@admin.register(ThreatPattern)
class ThreatPatternAdmin(EditorialAdmin):
    list_display = (
        "code",
        "title",
        "domain",
        "severity",
        "likelihood",
        state_badge,
        "last_updated",
    )
    list_filter = (*EDITORIAL_FILTERS, "domain", "severity", "likelihood")
    list_select_related = ("domain",)
    search_fields = ("code", "title")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("domain", "related_patterns", "affected_groups", "sectors")
    inlines = (PatternFrameworkInline,)


class SourceInline(admin.TabularInline):
    model = IncidentSource
    formset = SourceFormSet
    extra = 0
    fields = ("position", "title", "publisher", "source_type", "date", "url")


class EntityInline(admin.TabularInline):
    model = IncidentEntity
    extra = 0
    fields = ("position", "organisation", "role", "qualifier")
    autocomplete_fields = ("organisation",)

    def get_queryset(self, request):
        # Each row's label names its organisation: read them with the rows.
        return super().get_queryset(request).select_related("organisation")


@admin.register(Incident)
class IncidentAdmin(EditorialAdmin):
    form = IncidentForm
    list_display = (
        "code",
        "title",
        "date_occurred",
        "primary_pattern",
        "severity",
        "status",
        state_badge,
        "last_updated",
    )
    list_filter = (
        *EDITORIAL_FILTERS,
        "severity",
        "status",
        "evidence_level",
        "resolution",
        "occurred_year",
        "primary_pattern__domain",
    )
    list_select_related = ("primary_pattern",)
    search_fields = ("code", "title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = (
        "primary_pattern",
        "secondary_patterns",
        "affected_groups",
        "sectors",
        "regions",
        "exposure_pathways",
        "causal_factors",
        "assets",
        "harm_types",
        "pinned_similar",
        "hidden_similar",
    )
    inlines = (SourceInline, EntityInline)
