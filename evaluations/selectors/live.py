"""The hall results page's live block: today's per-window figures, totals and bad reviews.

Plain JSON data (dicts of numbers and strings, times in the hall's local time), polled by
the page every 10 seconds; evaluations/results/views.py only checks the role and renders.

Today's figures are read from the visits, not the daily rollups: one day of one hall is a
few hundred visits through the (hall, service_date) index, no dearer than its rollup rows,
and the block lists today's bad reviews from the same visits anyway. Nothing here is a sum
over days, whose cost would grow with the range (the date range's figures below it on the
results page are read from the rollups).
"""

from __future__ import annotations

from windows.models import Hall
from windows.rules.hall_time import hall_localdate, hall_localtime

from .figures import ServiceFigures
from .results import BadReview, bad_reviews, day_figures_by_window, day_totals


def live_figures(*, hall: Hall) -> dict:
    """Today's per-window figures, totals and bad reviews of a hall, as plain JSON data."""
    today = hall_localdate(hall)
    return {
        "hall": hall.code,
        "date": today.isoformat(),
        "updated_at": hall_localtime(hall).strftime("%H:%M:%S"),
        "totals": _figures_json(day_totals(hall=hall, day=today)),
        "windows": [
            {"number": row.window.number, "name": str(row.window), **_figures_json(row)}
            for row in day_figures_by_window(hall=hall, day=today)
        ],
        "bad_reviews": [
            _bad_review_json(hall, review) for review in bad_reviews(hall=hall, day=today)
        ],
    }


def _figures_json(figures: ServiceFigures) -> dict:
    return {
        "visits": figures.visits,
        "items": figures.items,
        "rated": figures.rated,
        "good": figures.good,
        "bad": figures.bad,
        "excluded": figures.excluded,  # rated, neither good nor bad (evaluations.rules)
        "evaluation_rate_pct": figures.evaluation_rate_pct,
        "satisfaction_rate_pct": figures.satisfaction_rate_pct,
    }


def _bad_review_json(hall: Hall, review: BadReview) -> dict:
    return {
        "id": review.rating_id,
        "time": hall_localtime(hall, review.rated_at).strftime("%H:%M"),
        "window_number": review.window_number,
        "window_name": review.window_name,
        "staff_name": review.staff_name,
        "badge_no": review.badge_no,
        "level": review.level,
        "level_label": review.level_label,
        "reasons": list(review.reasons),
        "comment": review.comment,
        "phone": review.masked_phone,
    }
