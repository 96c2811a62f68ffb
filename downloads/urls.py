from django.urls import path, re_path

from . import views

app_name = "downloads"

FILE = r"(?P<name>[a-z0-9][-a-z0-9]*\.(?:json|csv|zip))"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(rf"^latest/{FILE}$", views.latest, name="latest"),
    re_path(rf"^(?P<folder>[-0-9a-f]+)/{FILE}$", views.download, name="file"),
]
