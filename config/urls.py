from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from editorial import markdown_preview
from editorial.audit_log import audit_log
from exchange.views import import_entries
from overview.sitemaps import SITEMAPS

admin.site.site_header = "Threatwatch editorial"
admin.site.site_title = "Threatwatch editorial"
admin.site.index_title = "Content"

# A database failure outside a view still answers 503, not 500.
handler500 = "security.views.server_error"

urlpatterns = [
    path("admin/audit-log/", audit_log, name="audit_log"),
    path("admin/import/", import_entries, name="import_entries"),
    path(
        "admin/markdown-preview/",
        markdown_preview.preview,
        name="markdown_preview",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("changes/", include("editorial.urls")),
    path("downloads/", include("downloads.urls")),
    path("glossary/", include("glossary.urls")),
    path("submit/", include("contributions.urls")),
    path("follow/", include("subscriptions.urls")),
    path("", include("security.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("overview.urls")),
    path("", include("incidents.urls")),
]
