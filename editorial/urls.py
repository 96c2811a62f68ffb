from django.urls import path

from . import changelog

app_name = "editorial"

urlpatterns = [
    path("", changelog.changes, name="changes"),
    path("feed/", changelog.ChangesFeed(), name="changes_feed"),
    path(
        "<str:label>/<int:object_id>/",
        changelog.entry_changes,
        name="entry_changes",
    ),
]
