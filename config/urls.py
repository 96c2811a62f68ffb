from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Threatwatch editorial"
admin.site.site_title = "Threatwatch editorial"
admin.site.index_title = "Content"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("glossary/", include("glossary.urls")),
    path("", include("overview.urls")),
    path("", include("incidents.urls")),
]
