"""The one DRF router of the portal; apps register their viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from evaluations.api.live import LiveResultsView
from evaluations.api.views import RatingViewSet
from evaluations.tablet.api import RatingSubmitView, TabletStateView
from imports.api import VisitBatchView
from reports.api import DashboardTodayView, DashboardYearView, VolumeStatsView
from windows.api.views import HallViewSet, ServiceItemViewSet, WindowViewSet
from windows.api.visits import VisitViewSet

router = DefaultRouter()
router.register("halls", HallViewSet, basename="hall")
router.register("windows", WindowViewSet, basename="window")
router.register("service-items", ServiceItemViewSet, basename="service-item")
router.register("visits", VisitViewSet, basename="visit")
router.register("ratings", RatingViewSet, basename="rating")

# Views that are not viewsets; hall/urls.py mounts them beside the router.
extra_urls = [
    path("visits/batch/", VisitBatchView.as_view(), name="visit-batch"),
    path("halls/<str:code>/stats/volume/", VolumeStatsView.as_view(), name="hall-volume-stats"),
    # The pages' JSON feeds, read by their scripts with the browser's session.
    path("results/live/", LiveResultsView.as_view(), name="results-live"),
    path("dashboard/year/", DashboardYearView.as_view(), name="dashboard-year"),
    path("dashboard/today/", DashboardTodayView.as_view(), name="dashboard-today"),
    path("dashboard/surge/", include("reports.surge.api_urls")),
    path("dashboard/waiting/", include("reports.waiting.api_urls")),
    # The rating tablet's (device token); /tablet/api/... are their aliases (tablet/urls.py).
    path("tablet/state", TabletStateView.as_view(), name="tablet-state"),
    path("tablet/ratings", RatingSubmitView.as_view(), name="tablet-ratings"),
]
