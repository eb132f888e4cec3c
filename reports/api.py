"""The reports over the API: a hall's volume statistics (contracts.md section 3) and the
managers' dashboard's two feeds, which dashboard.js reads with the browser's session.

The feeds answer as evaluations/api/live.py describes: for those who may see a hall's
results, about one of their halls named by `?hall=` (missing: 400, another's: 404).
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.live import FEED_RESPONSES, HallFeedView, HallQuery, query_hall
from reports.selectors.dashboard import dashboard_data, today_figures
from reports.selectors.volume import hall_volume_stats
from windows.api.permissions import ModelViewPermission
from windows.api.query import FIELD_ERRORS_SCHEMA, query_values
from windows.models import Hall, Visit
from windows.rules.hall_time import hall_localdate

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


# --- the managers' dashboard's feeds (static/reports/dashboard.js) ------------------------

DASHBOARD_MIN_YEAR = 2000


class BadYear(ValueError):
    pass


def dashboard_year(raw: str, today: dt.date) -> int:
    """The year the dashboard shows: `raw` (ASCII digits, 2000 to the hall's this year), this
    year when blank; the page and the feed refuse anything else with the same message."""
    if not raw:
        return today.year
    if not (raw.isascii() and raw.isdigit()) or not DASHBOARD_MIN_YEAR <= int(raw) <= today.year:
        raise BadYear(
            _("The year must be a number from %(first)d to %(last)d.")
            % {"first": DASHBOARD_MIN_YEAR, "last": today.year}
        )
    return int(raw)


class DashboardYearField(serializers.IntegerField):
    """The year, from 2000 to the hall's this year (the view gives its today as context)."""

    def to_internal_value(self, data):
        try:
            return dashboard_year(str(data), self.context["today"])
        except BadYear as error:
            raise serializers.ValidationError(str(error)) from None


class DashboardYearQuery(HallQuery):
    year = DashboardYearField(
        required=False,
        min_value=DASHBOARD_MIN_YEAR,
        help_text="A calendar year from 2000 to the hall's current one; this year if missing.",
    )


class DayItemsSerializer(serializers.Serializer):
    date = serializers.DateField()
    items = serializers.IntegerField()


class DashboardTotalsSerializer(serializers.Serializer):
    items_total = serializers.IntegerField()
    previous_year_items_total = serializers.IntegerField(
        allow_null=True, help_text="Null when the hall has no visits the year before."
    )
    yoy_change_pct = serializers.FloatField(allow_null=True)
    evaluation_rate_pct = serializers.FloatField(allow_null=True)
    satisfaction_rate_pct = serializers.FloatField(allow_null=True)
    peak_day = DayItemsSerializer(allow_null=True, help_text="The year's busiest day.")


class DashboardMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, max_value=12)
    items = serializers.IntegerField()
    previous_year_items = serializers.IntegerField(allow_null=True)
    general_share_pct = serializers.FloatField(
        allow_null=True, help_text="The general zones' share of the month's items."
    )
    evaluation_rate_pct = serializers.FloatField(allow_null=True)
    satisfaction_rate_pct = serializers.FloatField(allow_null=True)


class DashboardDailySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = DayItemsSerializer(many=True, help_text="Every day from start to end, 0 if none.")
    peak_days = DayItemsSerializer(many=True, help_text="The span's busiest days, most first.")


class DashboardYearSerializer(serializers.Serializer):
    hall = serializers.CharField(help_text="The hall's code.")
    hall_name = serializers.CharField()
    year = serializers.IntegerField()
    totals = DashboardTotalsSerializer()
    months = DashboardMonthSerializer(many=True, help_text="January to December.")
    daily = DashboardDailySerializer(
        help_text="This year's last 90 days up to today, or a past year's every day."
    )


class DashboardTodaySerializer(serializers.Serializer):
    hall = serializers.CharField(help_text="The hall's code.")
    date = serializers.DateField(help_text="The hall's today.")
    updated_at = serializers.CharField(help_text="HH:MM:SS, the hall's local time.")
    visits = serializers.IntegerField(help_text="Completed visits.")
    items = serializers.IntegerField()
    evaluation_rate_pct = serializers.FloatField(allow_null=True)
    satisfaction_rate_pct = serializers.FloatField(allow_null=True)


class DashboardYearView(HallFeedView):
    """The year's chart data of one of the caller's halls, fetched once by the dashboard."""

    @extend_schema(
        parameters=[DashboardYearQuery],
        responses={200: DashboardYearSerializer, **FEED_RESPONSES},
        summary="The managers' dashboard: the year's chart data",
    )
    def get(self, request):
        hall = query_hall(request)  # the hall first: another hall's is a 404 whatever the year
        today = hall_localdate(hall)
        query = DashboardYearQuery(data=request.GET, context={"today": today})
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year", today.year)
        data = dashboard_data(hall=hall, year=year, today=today)
        return Response(DashboardYearSerializer(data).data)


class DashboardTodayView(HallFeedView):
    """Today's tiles of one of the caller's halls, refreshed by the dashboard every 30 s."""

    @extend_schema(
        parameters=[HallQuery],
        responses={200: DashboardTodaySerializer, **FEED_RESPONSES},
        summary="The managers' dashboard: today's figures",
    )
    def get(self, request):
        hall = query_hall(request)
        return Response(DashboardTodaySerializer(today_figures(hall=hall)).data)
