from django.contrib import admin
from django.urls import include, path

from exchange.views import import_entries

admin.site.site_header = "Threatwatch editorial"
admin.site.site_title = "Threatwatch editorial"
admin.site.index_title = "Content"

urlpatterns = [
    path("admin/import/", import_entries, name="import_entries"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("glossary/", include("glossary.urls")),
    path("", include("overview.urls")),
    path("", include("incidents.urls")),
]
