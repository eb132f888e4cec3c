"""Figures read from the daily rollups (evaluations.models.rollups): the same
ServiceFigures as evaluations.selectors.figures, from a few rows per day instead of every
visit, so their cost does not grow with the years stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import QuerySet, Sum

from evaluations.models import DailyFigures
from evaluations.selectors.figures import ServiceFigures
from windows.rules.rounding import round_half_up

FIGURE_FIELDS = (
    "visits",
    "items",
    "rated",
    "good",
    "bad",
    "transferred",
    "no_shows",
    "excluded",
    "historical_bad",
)


def rollup_figure_aggregates() -> dict:
    """Sum(...) over DailyFigures rows for each ServiceFigures field (aggregate() or a
    grouped annotate())."""
    return {name: Sum(name, default=0) for name in FIGURE_FIELDS}


def rollup_figures(rows: QuerySet[DailyFigures]) -> ServiceFigures:
    """The ServiceFigures of the given DailyFigures rows (already filtered)."""
    return ServiceFigures(**rows.aggregate(**rollup_figure_aggregates()))


def average_duration(total_microseconds: int | None, count: int | None) -> timedelta | None:
    """The mean of `count` durations summing to `total_microseconds` (wait_microseconds or
    service_microseconds over `visits`), rounded to the microsecond as Avg() gives it."""
    if not count:
        return None
    return timedelta(microseconds=total_microseconds / count)


@dataclass(frozen=True)
class RankedHall:
    """One hall's place in halls_ranked: its figures over the period (ServiceFigures)."""

    rank: int  # 1 = best; halls with equal figures share nothing: the order is total
    hall_id: int
    figures: ServiceFigures
    avg_wait_seconds: float | None  # of the completed visits, rounded to 0.1 s
    avg_service_seconds: float | None

    @property
    def evaluation_rate_pct(self) -> float | None:
        return self.figures.evaluation_rate_pct

    @property
    def satisfaction_rate_pct(self) -> float | None:
        return self.figures.satisfaction_rate_pct


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else round_half_up(duration.total_seconds(), 1)


def _rank_key(hall: RankedHall) -> tuple:
    """Best first: satisfaction rate, then evaluation rate, then items, each high to low
    (a hall without a rate after every hall with one); the hall id last, so that ties
    keep one stable order."""
    figures = hall.figures
    satisfaction = figures.satisfaction_rate_pct
    evaluation = figures.evaluation_rate_pct
    return (
        satisfaction is None,
        -(satisfaction or 0),
        evaluation is None,
        -(evaluation or 0),
        -figures.items,
        hall.hall_id,
    )


def halls_ranked(*, hall_ids: Iterable[int], start: date, end: date) -> list[RankedHall]:
    """Each hall's figures from start to end (both included), ranked: satisfaction rate
    (满意率), then evaluation rate (评价率), then items (办件量), best first.

    One GROUP BY hall over DailyFigures, which reads the rows through the (hall, day)
    index: a 20-hall city's year is about 20 x 250 days x its windows' rows. A hall
    asked for without a visit in the period is ranked last, with zero figures.
    """
    hall_ids = list(dict.fromkeys(hall_ids))
    rows = {
        row.pop("hall_id"): row
        for row in DailyFigures.objects.filter(hall_id__in=hall_ids, day__range=(start, end))
        .values("hall_id")
        .annotate(
            **rollup_figure_aggregates(),
            wait_microseconds=Sum("wait_microseconds", default=0),
            service_microseconds=Sum("service_microseconds", default=0),
        )
        .order_by()
    }
    empty = dict.fromkeys((*FIGURE_FIELDS, "wait_microseconds", "service_microseconds"), 0)
    halls = []
    for hall_id in hall_ids:
        row = rows.get(hall_id, empty)
        figures = ServiceFigures(**{name: row[name] for name in FIGURE_FIELDS})
        halls.append(
            RankedHall(
                rank=0,
                hall_id=hall_id,
                figures=figures,
                avg_wait_seconds=_seconds(
                    average_duration(row["wait_microseconds"], figures.visits)
                ),
                avg_service_seconds=_seconds(
                    average_duration(row["service_microseconds"], figures.visits)
                ),
            )
        )
    halls.sort(key=_rank_key)
    return [replace(hall, rank=rank) for rank, hall in enumerate(halls, start=1)]
