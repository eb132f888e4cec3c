"""Read-only API of the hall's configuration, for the queue system and other integrations."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from windows.api.permissions import ModelViewPermission
from windows.api.query import FIELD_ERRORS_SCHEMA, hall_code_field, query_values
from windows.api.serializers import HallSerializer, ServiceItemSerializer, WindowSerializer
from windows.models import Hall, ServiceItem, Window


class HallViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HallSerializer
    permission_classes = [ModelViewPermission]
    lookup_field = "code"
    queryset = Hall.objects.all()

    def get_queryset(self):
        return Hall.objects.for_user(self.request.user)


class WindowQuery(serializers.Serializer):
    hall = hall_code_field(required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[WindowQuery],
        responses={200: WindowSerializer(many=True), 400: FIELD_ERRORS_SCHEMA},
    )
)
class WindowViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WindowSerializer
    permission_classes = [ModelViewPermission]
    queryset = Window.objects.all()

    def get_queryset(self):
        return (
            Window.objects.for_user(self.request.user)
            .select_related("hall", "zone", "department")
            .prefetch_related("service_items")
            .order_by("hall__code", "number")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        hall_code = query_values(WindowQuery, self.request).get("hall")
        return queryset.filter(hall__code=hall_code) if hall_code else queryset


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The installation-wide catalogue: every signed-in user with view rights sees it."""

    serializer_class = ServiceItemSerializer
    permission_classes = [ModelViewPermission]
    lookup_field = "code"
    queryset = ServiceItem.objects.all()
