"""Visits over the API: reads (the queue system's batch ingestion is imports/api.py).

The list and the detail give the visits whose service started (in service or ended), in
the shape of the import's rows: a window and a start time always. The hall's own queue's
tickets still waiting or called, and those abandoned before their service started, have
neither and are left out: the queue's live state is the queue's own reads
(windows.queue.selectors, the big screen), not this list.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from windows.api.permissions import ModelViewPermission
from windows.api.query import (
    FIELD_ERRORS_SCHEMA,
    hall_code_field,
    query_values,
    window_number_field,
)
from windows.models import Visit


class VisitSerializer(serializers.ModelSerializer):
    hall_code = serializers.CharField(source="hall.code")
    window_no = serializers.IntegerField(source="window.number")
    staff_badge = serializers.CharField(source="staff.badge_no", default=None, allow_null=True)
    service_codes = serializers.SerializerMethodField()
    # None while the visit is unrated (and staff_badge when no staff member is recorded).
    rating = serializers.IntegerField(source="rating.level", default=None, allow_null=True)
    rated_at = serializers.DateTimeField(source="rating.rated_at", default=None, allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "hall_code",
            "ticket_no",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
            "service_date",
            "window_no",
            "staff_badge",
            "service_codes",
            "item_count",
            "status",
            "rating",
            "rated_at",
        ]

    def get_service_codes(self, visit: Visit) -> list[str]:
        return [item.code for item in visit.service_items.all()]


class VisitQuery(serializers.Serializer):
    hall = hall_code_field(required=False, allow_blank=True)
    date = serializers.DateField(required=False, help_text="The service date, YYYY-MM-DD.")
    window = window_number_field(required=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[VisitQuery],
        responses={200: VisitSerializer(many=True), 400: FIELD_ERRORS_SCHEMA},
    )
)
class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits of the caller's halls; filter with ?hall=CODE&date=YYYY-MM-DD&window=N."""

    serializer_class = VisitSerializer
    permission_classes = [ModelViewPermission]
    queryset = Visit.objects.all()

    def get_queryset(self):
        return (
            Visit.objects.for_user(self.request.user)
            .filter(started_at__isnull=False)
            .select_related("hall", "window", "staff", "rating")
            .prefetch_related("service_items")
            .order_by("-started_at", "pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = query_values(VisitQuery, self.request)
        if query.get("hall"):
            queryset = queryset.filter(hall__code=query["hall"])
        if "date" in query:
            queryset = queryset.filter(service_date=query["date"])
        if "window" in query:
            queryset = queryset.filter(window__number=query["window"])
        return queryset
