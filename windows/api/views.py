"""Read-only API of the hall's configuration, for the queue system and other integrations."""

from rest_framework import viewsets

from windows.api.permissions import ModelViewPermission
from windows.api.serializers import HallSerializer, ServiceItemSerializer, WindowSerializer
from windows.models import Hall, ServiceItem, Window


class HallViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HallSerializer
    permission_classes = [ModelViewPermission]
    lookup_field = "code"
    queryset = Hall.objects.all()

    def get_queryset(self):
        return Hall.objects.for_user(self.request.user)


class WindowViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WindowSerializer
    permission_classes = [ModelViewPermission]
    queryset = Window.objects.all()

    def get_queryset(self):
        windows = (
            Window.objects.for_user(self.request.user)
            .select_related("hall", "zone", "department")
            .prefetch_related("service_items")
            .order_by("hall__code", "number")
        )
        hall_code = self.request.query_params.get("hall")
        return windows.filter(hall__code=hall_code) if hall_code else windows


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The installation-wide catalogue: every signed-in user with view rights sees it."""

    serializer_class = ServiceItemSerializer
    permission_classes = [ModelViewPermission]
    lookup_field = "code"
    queryset = ServiceItem.objects.all()
