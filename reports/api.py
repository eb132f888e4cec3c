"""The hall's volume statistics over the API (contracts.md section 3)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.selectors.volume import hall_volume_stats
from windows.api.permissions import ModelViewPermission
from windows.models import Hall, Visit

MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_year(value: str | None) -> int | None:
    """The year of a request or command line; None when it is missing or not a year."""
    if value is None or not value.strip().isdigit():
        return None
    year = int(value)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


class VolumeStatsView(APIView):
    """The year's volume figures of one hall, exactly as `hall_stats --json` prints them."""

    permission_classes = [ModelViewPermission]
    queryset = Visit.objects.all()  # reads need windows.view_visit

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, code: str):
        hall = get_object_or_404(Hall.objects.for_user(request.user), code=code)
        year = parse_year(request.query_params.get("year"))
        if year is None:
            return Response(
                {
                    "year": [
                        _("Give the year as 4 digits from %(min)s to %(max)s.")
                        % {"min": MIN_YEAR, "max": MAX_YEAR}
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(hall_volume_stats(hall=hall, year=year))
