"""The managers' dashboard's reads: the year's chart data, today's tiles, the years offered.

Plain JSON data (dicts of numbers, strings and ISO dates), drawn by `dashboard.js`; the
views in reports/views.py only parse the query, check the role and render these.

The year's figures (volume, monthly rates, the daily series and peak days) and the years
offered are read from the daily rollups (evaluations.models.DailyFigures), so the feed
costs the same whatever the years stored. Today's tiles read today's visits, as the
results page's live block does (evaluations.selectors.live): one day of one hall, no
dearer than its rollup rows, and to the second.
"""

from __future__ import annotations

import datetime as dt

from evaluations.models import DailyFigures
from evaluations.selectors.results import day_totals
from windows.models import Hall
from windows.rules.hall_time import hall_localtime

from .periods import daily_items, peak_days
from .trends import monthly_rate_trends
from .volume import hall_volume_stats

RECENT_DAYS = 90
PEAK_DAYS = 5


def dashboard_years(*, hall: Hall | None, year: int, today: dt.date) -> list[int]:
    """The years the selector offers: those with counted visits (the rollups' days), this
    year and the one shown."""
    years = {today.year, year}
    if hall is not None:
        years |= {day.year for day in DailyFigures.objects.filter(hall=hall).dates("day", "year")}
    return sorted(years, reverse=True)


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


def today_figures(*, hall: Hall) -> dict:
    """Today's tiles (the hall's today): completed visits, items, evaluation and satisfaction
    rates."""
    now = hall_localtime(hall)
    today = now.date()
    figures = day_totals(hall=hall, day=today)
    return {
        "hall": hall.code,
        "date": today.isoformat(),
        "updated_at": now.strftime("%H:%M:%S"),
        "visits": figures.visits,
        "items": figures.items,
        "evaluation_rate_pct": figures.evaluation_rate_pct,
        "satisfaction_rate_pct": figures.satisfaction_rate_pct,
    }
