from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
