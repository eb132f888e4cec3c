"""The dashboard's JSON feeds of this part, mounted at /api/v1/dashboard/waiting/."""

from django.urls import path

from .api import WaitingBandsView

urlpatterns: list = [
    path("", WaitingBandsView.as_view(), name="dashboard-waiting"),
]
