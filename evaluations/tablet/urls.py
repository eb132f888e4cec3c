"""The rating tablet, mounted at /tablet/: pages and the JSON API the kiosk page polls."""

from django.urls import path

from evaluations.tablet import api, views

app_name = "tablet"

urlpatterns = [
    path("", views.kiosk, name="kiosk"),
    path("pair/", views.pair, name="pair"),
    path("api/state", api.TabletStateView.as_view(), name="api-state"),
    path("api/ratings", api.RatingSubmitView.as_view(), name="api-ratings"),
]
