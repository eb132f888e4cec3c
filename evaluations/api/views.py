"""Ratings over the API (read-only); the callback phone is personal data and never served."""

from rest_framework import serializers, viewsets

from evaluations.models import Rating
from windows.api.permissions import ModelViewPermission


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


class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """Ratings of the caller's halls; filter with ?hall=CODE&date=YYYY-MM-DD&level=N."""

    serializer_class = RatingSerializer
    permission_classes = [ModelViewPermission]
    queryset = Rating.objects.all()

    def get_queryset(self):
        ratings = (
            Rating.objects.for_user(self.request.user)
            .select_related("visit__hall", "visit__window")
            .order_by("-rated_at", "pk")
        )
        params = self.request.query_params
        if params.get("hall"):
            ratings = ratings.filter(visit__hall__code=params["hall"])
        if params.get("date"):
            ratings = ratings.filter(visit__service_date=params["date"])
        if params.get("level"):
            ratings = ratings.filter(level=params["level"])
        return ratings
