"""The hall's volume statistics over the API (contracts.md section 3)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.selectors.volume import hall_volume_stats
from windows.api.permissions import ModelViewPermission
from windows.api.query import FIELD_ERRORS_SCHEMA, query_values
from windows.models import Hall, Visit

MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_year(value: str | None) -> int | None:
    """The year of a request or command line; None when it is missing or not a year."""
    if value is None or not value.strip().isdigit():
        return None
    year = int(value)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _year_message() -> str:
    return _("Give the year as 4 digits from %(min)s to %(max)s.") % {
        "min": MIN_YEAR,
        "max": MAX_YEAR,
    }


class VolumeStatsQuery(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="The calendar year, 4 digits."
    )

    def to_internal_value(self, data):
        # One message for a missing, blank or malformed year, as `hall_stats` prints it.
        year = parse_year(data.get("year"))
        if year is None:
            raise serializers.ValidationError({"year": [_year_message()]})
        return {"year": year}


class VolumeStatsView(APIView):
    """The year's volume figures of one hall, exactly as `hall_stats --json` prints them."""

    permission_classes = [ModelViewPermission]
    queryset = Visit.objects.all()  # reads need windows.view_visit

    @extend_schema(
        parameters=[VolumeStatsQuery],
        responses={200: OpenApiTypes.OBJECT, 400: FIELD_ERRORS_SCHEMA},
    )
    def get(self, request, code: str):
        hall = get_object_or_404(Hall.objects.for_user(request.user), code=code)
        year = query_values(VolumeStatsQuery, request)["year"]
        return Response(hall_volume_stats(hall=hall, year=year))
