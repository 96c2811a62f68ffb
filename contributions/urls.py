from django.urls import path

from . import views

app_name = "contributions"

urlpatterns = [
    path("", views.report, name="report"),
    path("correction/", views.correction, name="correction"),
    path("hints.json", views.hints, name="hints"),
    path("status/<str:token>/", views.status, name="status"),
]
