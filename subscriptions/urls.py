from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.follow, name="follow"),
    path("sent/", views.sent, name="sent"),
    path("<str:token>/", views.manage, name="manage"),
    path("<str:token>/confirm/", views.confirm, name="confirm"),
    path("<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
