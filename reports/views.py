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
from windows.api.query import bad_query, hall_code_field, query_values
from windows.models import Hall
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls

from .selectors.dashboard import dashboard_data, dashboard_years, today_figures

TODAY_REFRESH_MS = 30_000
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
        "years": dashboard_years(hall=hall, year=year, today=today),
        "refresh_ms": TODAY_REFRESH_MS,
        "labels": chart_labels(year),
    }
    if hall is not None:
        context["today"] = today_figures(hall=hall)
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
    return _json(today_figures(hall=hall))
