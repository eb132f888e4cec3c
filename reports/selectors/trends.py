"""Monthly trends of a hall's year: evaluation and satisfaction rates month by month.

The rates are those of evaluations.selectors.figures, read from the daily rollups
(evaluations.models.DailyFigures, the same counts summed by month in the database), so a
month here agrees with the results pages and bulletins and costs the same whatever the
years stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField
from django.db.models.functions import TruncMonth

from evaluations.models import DailyFigures
from evaluations.selectors.figures import ServiceFigures, figure_aggregates
from evaluations.selectors.rollups import rollup_figure_aggregates
from windows.models import Hall

FIGURE_FIELDS = tuple(figure_aggregates())


@dataclass(frozen=True)
class MonthTrend(ServiceFigures):
    month: int  # 1..12


def monthly_rate_trends(*, hall: Hall, year: int) -> list[MonthTrend]:
    """Twelve rows, January to December; a month without visits has zeros and no rates."""
    rows = (
        DailyFigures.objects.filter(
            hall=hall, day__range=(dt.date(year, 1, 1), dt.date(year, 12, 31))
        )
        .annotate(month_start=TruncMonth("day", output_field=DateField()))
        .values("month_start")
        .annotate(**rollup_figure_aggregates())
        .order_by("month_start")
    )
    by_month = {row["month_start"].month: row for row in rows}
    zero = dict.fromkeys(FIGURE_FIELDS, 0)
    return [
        MonthTrend(
            month=month,
            **{name: by_month.get(month, zero)[name] for name in FIGURE_FIELDS},
        )
        for month in range(1, 13)
    ]
