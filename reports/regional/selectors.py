"""The region's halls side by side: one row per hall for a period of whole months, and one
per hall and month, with each column ranked.

Every figure is the one a hall's own pages show, by the same rules:
- items (办件量), evaluation and satisfaction rates: evaluations.selectors.rollups'
  `halls_ranked` (the daily rollups, the results page's and the bulletins' figures);
- business-day average (日均办件量): items over the hall's business days
  (windows.workdays), as reports.selectors.periods does; the month in progress counts its
  business days up to the hall's today;
- callback rate (回访率) and overdue cases (超期): complaints.selectors' `callback_aggregates`
  and `callback_rate_pct` (the complaints dashboard's rule) over the cases received in the
  month (the case list's received dates), overdue as of the hall's today;
- rectification completion (整改完成率): rectification.selectors' `finished_q` and
  `completion_rate_pct` over the measures whose deadline falls in the month.
The period's row is the sum of its months' counts. Everything is counted in the database:
one GROUP BY over the rollups per month, one over each hall's cases and measures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from complaints.selectors import callback_aggregates, callback_rate_pct, in_hall_days
from evaluations.selectors.rollups import halls_ranked
from rectification.models import Measure
from rectification.selectors import completion_rate_pct, finished_q
from windows.models import Hall, Region
from windows.rules.hall_time import hall_localdate, hall_zone, month_of
from windows.rules.rounding import ratio
from windows.workdays import business_days

# (column, label, higher is better): the ranked columns, in the table's order.
COLUMNS = (
    ("items", _("Items handled"), True),
    ("daily_average_items", _("Business-day average"), True),
    ("evaluation_rate_pct", _("Evaluation rate (%)"), True),
    ("satisfaction_rate_pct", _("Satisfaction rate (%)"), True),
    ("callback_rate_pct", _("Callback rate (%)"), True),
    ("overdue_cases", _("Overdue cases"), False),
    ("completion_rate_pct", _("Rectification completion (%)"), True),
)
MAX_MONTHS = 36


def region_halls(region: Region):
    """The halls of a region and of its districts, by code."""
    return Hall.objects.filter(Q(region=region) | Q(region__parent=region)).order_by("code")


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month from start's to end's."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = month_of(month)[1] + dt.timedelta(days=1)
    return months


@dataclass
class HallRow:
    """One hall's figures for a month or the period, and its rank in each column."""

    hall: Hall
    rank: int  # overall: halls_ranked's order (satisfaction, evaluation rate, items)
    visits: int
    items: int
    business_days: int
    evaluation_rate_pct: float | None
    satisfaction_rate_pct: float | None
    reached_callback: int
    called_back: int
    overdue_cases: int
    measures: int
    measures_finished: int
    ranks: dict[str, int | None] = field(default_factory=dict)

    @property
    def daily_average_items(self) -> float | None:
        return ratio(self.items, self.business_days, places=1)

    @property
    def callback_rate_pct(self) -> float | None:
        return callback_rate_pct(
            called_back=self.called_back, reached_callback=self.reached_callback
        )

    @property
    def completion_rate_pct(self) -> float | None:
        return completion_rate_pct(finished=self.measures_finished, total=self.measures)

    def cells(self) -> list[tuple[str, object, int | None]]:
        """(column, value, rank) in COLUMNS' order: what the page and the workbook show."""
        return [(name, getattr(self, name), self.ranks[name]) for name, _label, _high in COLUMNS]


@dataclass(frozen=True)
class MonthRows:
    month: dt.date
    rows: list[HallRow]


@dataclass(frozen=True)
class RegionalRanking:
    region: Region
    start: dt.date  # the first month's first day
    end: dt.date  # the last month's last day
    rows: list[HallRow]  # the period's, by overall rank
    months: list[MonthRows]  # the months', oldest first, each by overall rank


def _rank_columns(rows: list[HallRow]) -> None:
    """Each column's rank (1 = best; equal values share a rank). A hall without a value
    (no rating, no case, no measure due) has no rank in that column: a rank under "—"
    would read as a judgement on a figure that does not exist."""
    for name, _label, higher in COLUMNS:
        values = [getattr(row, name) for row in rows]
        for row, value in zip(rows, values, strict=True):
            if value is None:
                row.ranks[name] = None
            else:
                better = sum(v is not None and (v > value if higher else v < value) for v in values)
                row.ranks[name] = better + 1


def _business_days(halls: list[Hall], start: dt.date, end: dt.date) -> dict:
    """{(hall id, month): business days}, up to each hall's today."""
    counted: dict[tuple[int, dt.date], int] = defaultdict(int)
    for hall in halls:
        last = min(end, hall_localdate(hall))
        if last < start:
            continue
        for day in business_days(hall=hall, start=start, end=last):
            counted[hall.pk, day.replace(day=1)] += 1
    return counted


def _case_counts(halls: list[Hall], start: dt.date, end: dt.date) -> dict:
    """{(hall id, month): callback counts} of the cases received in each month."""
    counts = {}
    for hall in halls:
        rows = (
            Complaint.objects.for_hall(hall)
            .filter(in_hall_days("received_at", hall=hall, start=start, end=end))
            .annotate(
                month=TruncMonth("received_at", tzinfo=hall_zone(hall), output_field=DateField())
            )
            .values("month")
            .annotate(**callback_aggregates(hall_localdate(hall)))
            .order_by()
        )
        for row in rows:
            counts[hall.pk, row.pop("month")] = row
    return counts


def _measure_counts(halls: list[Hall], start: dt.date, end: dt.date) -> dict:
    """{(hall id, month): (measures, finished)} of the measures due in each month."""
    rows = (
        Measure.objects.filter(checklist__hall__in=halls, deadline__range=(start, end))
        .annotate(month=TruncMonth("deadline", output_field=DateField()))
        .values("checklist__hall", "month")
        .annotate(total=Count("pk"), finished=Count("pk", filter=finished_q()))
        .order_by()
    )
    return {(row["checklist__hall"], row["month"]): (row["total"], row["finished"]) for row in rows}


def _rows(halls_by_id: dict, ranked, keys: list[dt.date], days, cases, measures) -> list[HallRow]:
    no_cases = {"overdue_cases": 0, "reached_callback": 0, "called_back": 0}
    rows = []
    for ranked_hall in ranked:
        hall_id = ranked_hall.hall_id
        case_sums = dict(no_cases)
        measure_sums = [0, 0]
        for month in keys:
            for name, value in cases.get((hall_id, month), no_cases).items():
                case_sums[name] += value
            total, finished = measures.get((hall_id, month), (0, 0))
            measure_sums[0] += total
            measure_sums[1] += finished
        figures = ranked_hall.figures
        rows.append(
            HallRow(
                hall=halls_by_id[hall_id],
                rank=ranked_hall.rank,
                visits=figures.visits,
                items=figures.items,
                business_days=sum(days.get((hall_id, month), 0) for month in keys),
                evaluation_rate_pct=figures.evaluation_rate_pct,
                satisfaction_rate_pct=figures.satisfaction_rate_pct,
                measures=measure_sums[0],
                measures_finished=measure_sums[1],
                **case_sums,
            )
        )
    _rank_columns(rows)
    return rows


def regional_ranking(*, region: Region, start: dt.date, end: dt.date) -> RegionalRanking:
    """The region's halls ranked over the whole months from start's to end's, and month by
    month."""
    start = start.replace(day=1)
    end = month_of(end)[1]
    halls = list(region_halls(region))
    halls_by_id = {hall.pk: hall for hall in halls}
    hall_ids = list(halls_by_id)
    months = months_between(start, end)
    days = _business_days(halls, start, end)
    cases = _case_counts(halls, start, end)
    measures = _measure_counts(halls, start, end)
    period = _rows(
        halls_by_id,
        halls_ranked(hall_ids=hall_ids, start=start, end=end),
        months,
        days,
        cases,
        measures,
    )
    by_month = [
        MonthRows(
            month=month,
            rows=_rows(
                halls_by_id,
                halls_ranked(hall_ids=hall_ids, start=month, end=month_of(month)[1]),
                [month],
                days,
                cases,
                measures,
            ),
        )
        for month in months
    ]
    return RegionalRanking(region=region, start=start, end=end, rows=period, months=by_month)
