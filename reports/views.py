"""The managers' dashboard: a page of charts drawn in the browser from two JSON endpoints.

The page itself holds no figures but today's tiles; `dashboard.js` fetches the year's
data (data.json) once and today's figures (today.json) every 30 seconds, and draws with
the Chart.js vendored in static/vendor/chartjs, so no request leaves the intranet.
A hall is one of those the user may see (another hall's code is a 404, never a 403 that
confirms it exists); window staff and tablets have no results permissions (403).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from evaluations.results.views import may_view_hall_results
from evaluations.selectors.results import hall_totals
from windows.api.query import bad_query, hall_code_field, query_values
from windows.models import Hall, Visit
from windows.rules.hall_time import hall_localdate, hall_localtime
from windows.scoping import hall_from_request, user_halls

from .selectors.periods import daily_items, peak_days
from .selectors.trends import monthly_rate_trends
from .selectors.volume import hall_volume_stats

TODAY_REFRESH_MS = 30_000
RECENT_DAYS = 90
PEAK_DAYS = 5
MIN_YEAR = 2000


class BadYear(ValueError):
    pass


def _visible_halls(request: HttpRequest):
    if not may_view_hall_results(request.user):
        raise PermissionDenied
    return user_halls(request.user)


def _hall(request: HttpRequest, *, required: bool) -> Hall | None:
    return hall_from_request(request, _visible_halls(request), required=required)


def _year(request: HttpRequest, today: dt.date) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return today.year
    if not (raw.isascii() and raw.isdigit()) or not MIN_YEAR <= int(raw) <= today.year:
        raise BadYear(
            _("The year must be a number from %(first)d to %(last)d.")
            % {"first": MIN_YEAR, "last": today.year}
        )
    return int(raw)


def _years(hall: Hall | None, year: int, today: dt.date) -> list[int]:
    """The years the selector offers: those with visits, this year and the one shown."""
    years = {today.year, year}
    if hall is not None:
        years |= {day.year for day in Visit.objects.for_hall(hall).dates("service_date", "year")}
    return sorted(years, reverse=True)


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    hall = _hall(request, required=False)
    today = hall_localdate(hall)
    try:
        year = _year(request, today)
    except BadYear as error:
        return HttpResponseBadRequest(str(error))
    context = {
        "hall": hall,
        "halls": _visible_halls(request),
        "year": year,
        "years": _years(hall, year, today),
        "refresh_ms": TODAY_REFRESH_MS,
        "labels": chart_labels(year),
    }
    if hall is not None:
        context["today"] = today_figures(hall)
    return render(request, "reports/dashboard.html", context)


def chart_labels(year: int) -> dict:
    """The charts' words, translated on the server and handed to dashboard.js as JSON."""
    return {
        "months": [str(MONTHS_3[month]).title() for month in range(1, 13)],
        "this_year": str(year),
        "last_year": str(year - 1),
        "items": _("Items handled"),
        "peak_day": _("Peak day"),
        "general_share": _("General zones' share of items"),
        "evaluation_rate": _("Evaluation rate"),
        "satisfaction_rate": _("Satisfaction rate"),
    }


def _pair(day: dt.date, items: int) -> dict:
    return {"date": day.isoformat(), "items": items}


def dashboard_data(*, hall: Hall, year: int, today: dt.date) -> dict:
    """Everything the year's charts draw, as plain JSON data.

    The daily series is this year's last 90 days up to today, or a past year's every
    day (0 on a day without items); the peak days are the busiest of that span.
    """
    stats = hall_volume_stats(hall=hall, year=year)
    trends = {row.month: row for row in monthly_rate_trends(hall=hall, year=year)}
    start, end = daily_span(year=year, today=today)
    daily = daily_items(hall=hall, start=start, end=end)
    peaks = peak_days(hall=hall, start=start, end=end, limit=PEAK_DAYS)
    return {
        "hall": hall.code,
        "hall_name": hall.name,
        "year": year,
        "totals": {
            "items_total": stats["items_total"],
            "previous_year_items_total": stats["previous_year_items_total"],
            "yoy_change_pct": stats["yoy_change_pct"],
            "evaluation_rate_pct": stats["evaluation_rate_pct"],
            "satisfaction_rate_pct": stats["satisfaction_rate_pct"],
            "peak_day": stats["peak_day"],
        },
        "months": [
            {
                "month": month["month"],
                "items": month["items"],
                "previous_year_items": month["previous_year_items"],
                "general_share_pct": month["general_share_pct"],
                "evaluation_rate_pct": trends[month["month"]].evaluation_rate_pct,
                "satisfaction_rate_pct": trends[month["month"]].satisfaction_rate_pct,
            }
            for month in stats["months"]
        ],
        "daily": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "days": [_pair(day, items) for day, items in daily],
            "peak_days": [_pair(day, items) for day, items in peaks],
        },
    }


def daily_span(*, year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    if year == today.year:
        return today - dt.timedelta(days=RECENT_DAYS - 1), today
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def today_figures(hall: Hall) -> dict:
    """Today's tiles (the hall's today): completed visits, items, evaluation and satisfaction
    rates."""
    now = hall_localtime(hall)
    today = now.date()
    figures = hall_totals(hall=hall, start=today, end=today)
    return {
        "hall": hall.code,
        "date": today.isoformat(),
        "updated_at": now.strftime("%H:%M:%S"),
        "visits": figures.visits,
        "items": figures.items,
        "evaluation_rate_pct": figures.evaluation_rate_pct,
        "satisfaction_rate_pct": figures.satisfaction_rate_pct,
    }


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


class FeedQuery(serializers.Serializer):
    """The feeds' query. The hall is required: blank, missing or not the user's is a 404.

    The year's bounds depend on the hall's today, so `_year` checks it once the hall is
    known, with the page's rule and message.
    """

    hall = hall_code_field(required=False, allow_blank=True)
    year = serializers.CharField(required=False, allow_blank=True)


def _feed_hall(request: HttpRequest) -> Hall:
    """The feed's hall, after the role (403) and the query's shape (400, raised)."""
    _visible_halls(request)
    query_values(FeedQuery, request)
    return _hall(request, required=True)


@require_safe
@never_cache
@login_required
def dashboard_data_json(request: HttpRequest) -> HttpResponse:
    """The year's chart data; the hall code is required and must be one of the user's."""
    try:
        hall = _feed_hall(request)
        today = hall_localdate(hall)
        year = _year(request, today)
    except ValidationError as error:
        return bad_query(error)
    except BadYear as error:
        return _json({"year": [str(error)]}, status=400)
    return _json(dashboard_data(hall=hall, year=year, today=today))


@require_safe
@never_cache
@login_required
def dashboard_today_json(request: HttpRequest) -> HttpResponse:
    """Today's tiles, refreshed by the page every 30 seconds."""
    try:
        hall = _feed_hall(request)
    except ValidationError as error:
        return bad_query(error)
    return _json(today_figures(hall))
