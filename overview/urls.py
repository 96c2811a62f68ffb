from django.urls import path

from . import views

app_name = "overview"

urlpatterns = [
    path("", views.home, name="home"),
    path("taxonomy/", views.taxonomy, name="taxonomy"),
    path("search/", views.search, name="search"),
    path("digests/", views.digest_index, name="digest_index"),
    path("digests/<int:year>/", views.digest, name="digest"),
    path("robots.txt", views.robots_txt, name="robots"),
]
