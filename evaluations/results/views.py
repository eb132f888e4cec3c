"""The results pages: one's own results and a hall's results, with today's live block.

The live block is refreshed from the API (evaluations/api/live.py, /api/v1/results/live/).

Every page takes what it shows from the user: a staff member's own profile, or a hall
among those the user may see (another hall's code is a 404, never a 403 that confirms it).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from evaluations.selectors.live import live_figures
from evaluations.selectors.queue import queue_figures
from evaluations.selectors.results import (
    figures_by_staff,
    figures_by_window,
    hall_totals,
    reason_labels,
    staff_figures_by_period,
    staff_ratings,
    staff_totals,
)
from windows.models import Hall
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls
from windows.selectors import staff_for_user

from .forms import DateRangeForm, MyResultsForm

RESULTS_PERMISSIONS = ("windows.view_visit", "evaluations.view_rating")
RATINGS_PER_PAGE = 50
LIVE_REFRESH_MS = 10_000


def may_view_hall_results(user) -> bool:
    return user.has_perms(RESULTS_PERMISSIONS)


@require_safe
@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    """A staff member's own figures by period and their ratings; nothing selects another's."""
    staff = staff_for_user(user=request.user)
    if staff is None:
        if may_view_hall_results(request.user):
            return redirect("results:hall")
        raise PermissionDenied
    form = MyResultsForm(request.GET, today=hall_localdate(staff.hall))
    context = {"staff": staff, "form": form}
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        ratings = Paginator(staff_ratings(staff=staff, start=start, end=end), RATINGS_PER_PAGE)
        page = ratings.get_page(request.GET.get("page"))
        context |= {
            "period": form.cleaned_data["period"],
            "start": start,
            "end": end,
            "rows": staff_figures_by_period(
                staff=staff, period=form.cleaned_data["period"], start=start, end=end
            ),
            "totals": staff_totals(staff=staff, start=start, end=end),
            "ratings": [(rating, reason_labels(rating)) for rating in page],
            "ratings_page": page,
        }
    return render(request, "evaluations/results/me.html", context)


def queue_tables(*, categories: list, windows: list, staff: list) -> list[tuple[str, list, str]]:
    """The queue section's tables (templates/evaluations/results/_queue.html): (title,
    rows, first column's header); the first one, by business category, has the
    appointments' columns too. Rows are QueueFigures or a bulletin's stored dicts."""
    return [
        (_("By business category"), categories, _("Business category")),
        (_("By window"), windows, _("Window")),
        (_("By staff member"), staff, _("Staff member")),
    ]


def _results_hall(request: HttpRequest) -> Hall | None:
    """The hall asked for (404 unless the user may see it), else the user's first hall."""
    if not may_view_hall_results(request.user):
        raise PermissionDenied
    return hall_from_request(request)


@require_safe
@login_required
def hall_results(request: HttpRequest) -> HttpResponse:
    """Every window's and staff member's figures of a date range, and today's live block."""
    hall = _results_hall(request)
    today = hall_localdate(hall)
    form = DateRangeForm(request.GET, today=today)
    context = {
        "hall": hall,
        "halls": user_halls(request.user),
        "form": form,
        "today": today,
        "refresh_ms": LIVE_REFRESH_MS,
    }
    if hall is not None:
        context["live"] = live_figures(hall=hall)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            context |= {
                "start": start,
                "end": end,
                "windows": figures_by_window(hall=hall, start=start, end=end),
                "staff_rows": figures_by_staff(hall=hall, start=start, end=end),
                "totals": hall_totals(hall=hall, start=start, end=end),
            }
            queue = queue_figures(hall=hall, start=start, end=end)
            context |= {
                "queue": queue,
                "queue_tables": queue_tables(
                    categories=queue.categories, windows=queue.windows, staff=queue.staff
                ),
            }
    return render(request, "evaluations/results/hall.html", context)
