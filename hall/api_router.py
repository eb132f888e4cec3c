"""The one DRF router of the portal; apps register their viewsets here."""

from rest_framework.routers import DefaultRouter

from windows.api.views import HallViewSet, ServiceItemViewSet, WindowViewSet

router = DefaultRouter()
router.register("halls", HallViewSet, basename="hall")
router.register("windows", WindowViewSet, basename="window")
router.register("service-items", ServiceItemViewSet, basename="service-item")
