"""The hall's big screen, mounted at /display/: its pairing page, the screen and its state."""

from django.urls import path

from evaluations.display import api, views

app_name = "display"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("pair/", views.pair, name="pair"),
    path("api/state", api.state, name="state"),
]
