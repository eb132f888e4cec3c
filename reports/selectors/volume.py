"""The volume figures of a hall's year, as the annual review reports them (contracts.md §3).

Read from the daily rollups (evaluations.models.DailyFigures), so the cost does not grow
with the years stored: one grouped query for the months of the year and the year before
(which, summed, also gives the year's rating figures), one GROUP BY day for the peak day
and the days served (business days, with the hall's calendar), and the general windows.
The "queue" object (the hall's own queue: waiting, service, no-shows, appointments, per
business category) is reports.selectors.queue's, from the year's queue tickets.
Only rows with completed visits count (a day of no-shows only has a row with no visits,
as it had no completed visit before).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from evaluations import rules
from evaluations.models import DailyFigures
from reports.selectors.queue import queue_stats_json
from windows.models import Hall, Window, Zone
from windows.rules.rounding import percent, ratio
from windows.workdays import business_days


def general_window() -> Q:
    """Visits served at a window of one of the three general (通办) zones."""
    return Q(window__zone__kind=Zone.Kind.GENERAL)


def _monthly(hall: Hall, years: tuple[int, int]) -> dict[tuple[int, int], dict]:
    """Completed visits' figures by (year, month) over the given years.

    Grouped by month and window in the database from the daily rollups (no join to the
    zones: the general windows are a short list), then added up by month here: a few
    hundred rows.
    """
    general = set(Window.objects.filter(hall=hall).general().values_list("pk", flat=True))
    rows = (
        _completed_days(hall, date(years[0], 1, 1), date(years[1], 12, 31))
        .annotate(month_start=TruncMonth("day"))
        .values("month_start", "window_id")
        .annotate(
            items=Sum("items"),
            visits=Sum("visits"),
            rated=Sum("rated"),
            good=Sum("good"),
            excluded=Sum("excluded"),
        )
        .order_by()
    )
    months: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["month_start"].year, row["month_start"].month)
        month = months.setdefault(
            key, dict.fromkeys(("items", "visits", "general_items", "rated", "good", "excluded"), 0)
        )
        for name in ("items", "visits", "rated", "good", "excluded"):
            month[name] += row[name]
        if row["window_id"] in general:
            month["general_items"] += row["items"]
    return months


def _completed_days(hall: Hall, start: date, end: date):
    """The hall's rollup rows from start to end with completed visits (the rows the
    figures count, through the (hall, day) index)."""
    return DailyFigures.objects.filter(hall=hall, day__range=(start, end), visits__gt=0)


def _served_days(hall: Hall, year: int) -> list[dict]:
    """The year's days with a completed visit and their items, in order (one GROUP BY
    day): the business days' served days and the peak day."""
    return list(
        _completed_days(hall, date(year, 1, 1), date(year, 12, 31))
        .values("day")
        .annotate(day_items=Sum("items"))
        .order_by("day")
    )


def _peak_day(served: list[dict]) -> dict | None:
    """The day with the most items; of equal days, the first."""
    if not served:
        return None
    peak = min(served, key=lambda row: (-row["day_items"], row["day"]))
    return {"date": peak["day"].isoformat(), "items": peak["day_items"]}


def hall_volume_stats(*, hall: Hall, year: int) -> dict:
    """The object of contracts.md section 3 for one hall and year (JSON-ready)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    # One grouped query gives this year's months, last year's months and, summed, the
    # year's figures (the rules of evaluations.rules, as evaluations.selectors.figures).
    monthly = _monthly(hall, (year - 1, year))
    this_year = [row for (row_year, _), row in monthly.items() if row_year == year]
    items_total = sum(row["items"] for row in this_year)
    visits_total = sum(row["visits"] for row in this_year)
    rated = sum(row["rated"] for row in this_year)
    good = sum(row["good"] for row in this_year)
    excluded = sum(row["excluded"] for row in this_year)
    previous_rows = [row for (row_year, _), row in monthly.items() if row_year == year - 1]
    previous_total = sum(row["items"] for row in previous_rows) if previous_rows else None
    served = _served_days(hall, year)
    days = len(
        business_days(hall=hall, start=start, end=end, served={row["day"] for row in served})
    )

    months = []
    for month in range(1, 13):
        row = monthly.get((year, month), {})
        items = row.get("items", 0)
        before = monthly.get((year, month - 1), {}).get("items", 0) if month > 1 else 0
        months.append(
            {
                "month": month,
                "items": items,
                "visits": row.get("visits", 0),
                "previous_year_items": (
                    monthly.get((year - 1, month), {}).get("items", 0)
                    if previous_total is not None
                    else None
                ),
                "mom_change_pct": percent(items - before, before),
                "general_share_pct": percent(row.get("general_items", 0), items, places=1),
            }
        )

    return {
        "hall": hall.code,
        "year": year,
        "items_total": items_total,
        "visits_total": visits_total,
        "business_days": days,
        "daily_average_items": ratio(items_total, days, places=1),
        "previous_year_items_total": previous_total,
        "yoy_change_pct": (
            percent(items_total - previous_total, previous_total)
            if previous_total is not None
            else None
        ),
        "peak_day": _peak_day(served),
        "evaluation_rate_pct": rules.evaluation_rate_pct(rated=rated, visits=visits_total),
        "satisfaction_rate_pct": rules.satisfaction_rate_pct(
            good=good, rated=rated, excluded=excluded
        ),
        "months": months,
        # Added with the hall's own queue (issue 14): every key above is unchanged.
        "queue": queue_stats_json(hall=hall, start=start, end=end),
    }
