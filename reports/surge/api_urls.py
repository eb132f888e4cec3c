"""The dashboard's JSON feeds of this part, mounted at /api/v1/dashboard/surge/, and the
acknowledgement of a surge alert (a form's POST from the console or the home page)."""

from django.urls import path

from . import views
from .api import SurgeView

urlpatterns: list = [
    path("", SurgeView.as_view(), name="dashboard-surge"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge, name="surge-acknowledge"),
]
