from django.urls import path

from . import queue_views, views

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
    # The hall's own queue (windows serving a business category).
    path("queue/", queue_views.live, name="queue"),
    path("queue/call/", queue_views.call, name="call"),
    path("queue/recall/", queue_views.recall, name="recall"),
    path("queue/no-show/", queue_views.no_show, name="queue_no_show"),
    path("queue/return/", queue_views.give_back, name="return"),
    path("queue/start/", queue_views.start, name="queue_start"),
]
