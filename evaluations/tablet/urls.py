"""The rating tablet, mounted at /tablet/: its pairing and kiosk pages.

The JSON API the kiosk page polls is at /api/v1/tablet/ (hall/api_router.py); its former
paths stay here as aliases for the kiosk pages loaded before the move, out of the schema.
"""

from django.urls import path

from evaluations.tablet import api, files, views

app_name = "tablet"

urlpatterns = [
    path("", views.kiosk, name="kiosk"),
    path("pair/", views.pair, name="pair"),
    path("staff/<int:pk>/photo/", files.badge_photo, name="staff-photo"),
    path("api/state", api.TabletStateAlias.as_view(), name="api-state"),
    path("api/ratings", api.RatingSubmitAlias.as_view(), name="api-ratings"),
]
