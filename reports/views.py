"""The managers' dashboard: a page of charts drawn in the browser from two API feeds.

The page itself holds no figures but today's tiles; `dashboard.js` fetches the year's
data (/api/v1/dashboard/year/) once and today's figures (/api/v1/dashboard/today/) every
30 seconds, both in reports/api.py, and draws with the Chart.js vendored in
static/vendor/chartjs, so no request leaves the intranet. A hall is one of those the user
may see (another hall's code is a 404, never a 403 that confirms it exists); window staff
and tablets have no results permissions (403).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from evaluations.results.views import may_view_hall_results
from windows.models import Hall
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls

from .api import BadYear, dashboard_year
from .selectors.dashboard import dashboard_years, today_figures

TODAY_REFRESH_MS = 30_000


def _visible_halls(request: HttpRequest):
    if not may_view_hall_results(request.user):
        raise PermissionDenied
    return user_halls(request.user)


def _hall(request: HttpRequest, *, required: bool) -> Hall | None:
    return hall_from_request(request, _visible_halls(request), required=required)


def _year(request: HttpRequest, today: dt.date) -> int:
    return dashboard_year(request.GET.get("year", ""), today)


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
