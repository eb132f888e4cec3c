from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.console, name="index"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("start/", views.start, name="start"),
    path("finish/", views.end, {"outcome": "finish"}, name="finish"),
    path("transfer/", views.end, {"outcome": "transfer"}, name="transfer"),
    path("no-show/", views.end, {"outcome": "no-show"}, name="no_show"),
    path("discard/", views.discard, name="discard"),
]
