"""Ratings over the API (read-only); the callback phone is personal data and never served."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from evaluations.models import Rating
from windows.api.permissions import ModelViewPermission
from windows.api.query import FIELD_ERRORS_SCHEMA, hall_code_field, query_values


class RatingSerializer(serializers.ModelSerializer):
    visit = serializers.IntegerField(source="visit_id")
    hall_code = serializers.CharField(source="visit.hall.code")
    window_no = serializers.IntegerField(source="visit.window.number")
    ticket_no = serializers.CharField(source="visit.ticket_no")
    service_date = serializers.DateField(source="visit.service_date")

    class Meta:
        model = Rating
        fields = [
            "id",
            "visit",
            "hall_code",
            "window_no",
            "ticket_no",
            "service_date",
            "level",
            "reasons",
            "rated_at",
            "source",
        ]


class RatingQuery(serializers.Serializer):
    hall = hall_code_field(required=False, allow_blank=True)
    date = serializers.DateField(required=False, help_text="The visit's service date, YYYY-MM-DD.")
    level = serializers.IntegerField(
        required=False,
        min_value=min(Rating.Level.values),
        max_value=max(Rating.Level.values),
        help_text="The rating level, 1 (very dissatisfied) to 5 (very satisfied).",
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[RatingQuery],
        responses={200: RatingSerializer(many=True), 400: FIELD_ERRORS_SCHEMA},
    )
)
class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """Ratings of the caller's halls; filter with ?hall=CODE&date=YYYY-MM-DD&level=N."""

    serializer_class = RatingSerializer
    permission_classes = [ModelViewPermission]
    queryset = Rating.objects.all()

    def get_queryset(self):
        return (
            Rating.objects.for_user(self.request.user)
            .select_related("visit__hall", "visit__window")
            .order_by("-rated_at", "pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = query_values(RatingQuery, self.request)
        if query.get("hall"):
            queryset = queryset.filter(visit__hall__code=query["hall"])
        if "date" in query:
            queryset = queryset.filter(visit__service_date=query["date"])
        if "level" in query:
            queryset = queryset.filter(level=query["level"])
        return queryset
