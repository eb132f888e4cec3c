"""Results of the per-visit ratings: by period, by window, by staff member, and bad reviews.

The figures of a date range (a staff member's periods and totals, a hall's windows, staff
and totals) are sums over days: they are read from the daily rollups
(evaluations.models.DailyFigures, summed by rollups.py's `rollup_figure_aggregates`), a few
rows per window and day whatever the years stored. One day's figures for the live block
(`day_figures_by_window`, `day_totals`) and `figures_by_period` over any given visits read
the visits with the aggregates of figures.py (`figure_aggregates`): the same rules, so
both give the same figures. Rows are the same `ServiceFigures` with what they are grouped
by; the bad reviews are listed from the ratings themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import DateField, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek

from evaluations.models import DailyFigures, Rating
from windows.models import Hall, Staff, Visit, Window
from windows.roles import mask_phone
from windows.rules.hall_time import month_of, week_of

from .figures import ServiceFigures, figure_aggregates, service_figures
from .rollups import rollup_figure_aggregates, rollup_figures

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")


FIGURE_FIELDS = tuple(figure_aggregates())
ZERO = {name: 0 for name in FIGURE_FIELDS}


def _figures(row: dict) -> dict:
    return {name: row[name] for name in FIGURE_FIELDS}


@dataclass(frozen=True)
class PeriodFigures(ServiceFigures):
    period: Period
    period_start: dt.date

    @property
    def period_end(self) -> dt.date:
        """The last day of the period (Sunday of a week, the last day of a month)."""
        if self.period == "week":
            return week_of(self.period_start)[1]
        if self.period == "month":
            return month_of(self.period_start)[1]
        return self.period_start


@dataclass(frozen=True)
class WindowFigures(ServiceFigures):
    window: Window


@dataclass(frozen=True)
class StaffFigures(ServiceFigures):
    staff: Staff


def _period_expression(period: Period, day_field: str):
    if period == "day":
        return F(day_field)
    if period == "week":
        return TruncWeek(day_field, output_field=DateField())
    if period == "month":
        return TruncMonth(day_field, output_field=DateField())
    raise ValueError(f"Unknown period {period!r}; use one of {PERIODS}.")


def _by_period(
    rows: QuerySet, *, day_field: str, aggregates: dict, period: Period
) -> list[PeriodFigures]:
    grouped = (
        rows.annotate(period_start=_period_expression(period, day_field))
        .values("period_start")
        .annotate(**aggregates)
        .order_by("period_start")
    )
    return [
        PeriodFigures(period=period, period_start=_as_date(row["period_start"]), **_figures(row))
        for row in grouped
    ]


def figures_by_period(
    *, visits: QuerySet[Visit], period: Period, start: dt.date, end: dt.date
) -> list[PeriodFigures]:
    """Figures of the given visits of each day, week (from Monday) or month between start
    and end, inclusive, read from the visits themselves.

    Only periods with at least one counted visit (completed, transferred or no-show, as
    the rollups) have a row: a ticket still waiting, called or in service, or abandoned,
    makes none. A period whose visits were all no-shows has zero completed visits and no
    rates.
    """
    return _by_period(
        visits.counted().filter(service_date__range=(start, end)),
        day_field="service_date",
        aggregates=figure_aggregates(),
        period=period,
    )


def _rollups(start: dt.date, end: dt.date, **key) -> QuerySet[DailyFigures]:
    return DailyFigures.objects.filter(day__range=(start, end), **key)


def staff_figures_by_period(
    *, staff: Staff, period: Period, start: dt.date, end: dt.date
) -> list[PeriodFigures]:
    """A staff member's own figures of each period between start and end, inclusive, from
    the rollups: only periods with at least one counted visit (completed, transferred or
    no-show) have a row."""
    return _by_period(
        _rollups(start, end, staff=staff),
        day_field="day",
        aggregates=rollup_figure_aggregates(),
        period=period,
    )


def staff_totals(*, staff: Staff, start: dt.date, end: dt.date) -> ServiceFigures:
    """A staff member's own figures from start to end, inclusive (rollups)."""
    return rollup_figures(_rollups(start, end, staff=staff))


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _grouped(rows: QuerySet, field: str, aggregates: dict) -> dict[int, dict]:
    grouped = rows.values(field).annotate(**aggregates).order_by(field)
    return {row[field]: _figures(row) for row in grouped}


def _window_rows(hall: Hall, grouped: dict[int, dict]) -> list[WindowFigures]:
    windows = Window.objects.for_hall(hall).filter(Q(is_active=True) | Q(pk__in=list(grouped)))
    return [
        WindowFigures(window=window, **grouped.get(window.pk, ZERO))
        for window in windows.order_by("number")
    ]


def figures_by_window(*, hall: Hall, start: dt.date, end: dt.date) -> list[WindowFigures]:
    """One row per window of the hall, by window number; an idle active window has zeros
    (rollups: a closed window is listed when it has counted visits in the range)."""
    rows = _rollups(start, end, hall=hall)
    return _window_rows(hall, _grouped(rows, "window", rollup_figure_aggregates()))


def figures_by_staff(*, hall: Hall, start: dt.date, end: dt.date) -> list[StaffFigures]:
    """One row per staff member of the hall, by badge; idle active staff have zeros."""
    rows = _rollups(start, end, hall=hall, staff__isnull=False)
    grouped = _grouped(rows, "staff", rollup_figure_aggregates())
    staff = Staff.objects.for_hall(hall).filter(Q(is_active=True) | Q(pk__in=list(grouped)))
    return [
        StaffFigures(staff=member, **grouped.get(member.pk, ZERO))
        for member in staff.order_by("badge_no")
    ]


def hall_totals(*, hall: Hall, start: dt.date, end: dt.date) -> ServiceFigures:
    """The hall's figures from start to end, inclusive (rollups)."""
    return rollup_figures(_rollups(start, end, hall=hall))


def _day_visits(hall: Hall, day: dt.date) -> QuerySet[Visit]:
    return Visit.objects.for_hall(hall).filter(service_date=day)


def day_figures_by_window(*, hall: Hall, day: dt.date) -> list[WindowFigures]:
    """One day's figures per window, as figures_by_window, read from the visits.

    For today's live block, polled every 10 seconds: one day of one hall is a few hundred
    visits read through the (hall, service_date) index, as cheap as its rollup rows, and
    it is the visits themselves, to the second, beside the bad reviews listed from them.
    """
    return _window_rows(hall, _grouped(_day_visits(hall, day), "window", figure_aggregates()))


def day_totals(*, hall: Hall, day: dt.date) -> ServiceFigures:
    """One day's figures of the hall, read from the visits (see day_figures_by_window)."""
    return service_figures(_day_visits(hall, day))


@dataclass(frozen=True)
class BadReview:
    rating_id: int
    rated_at: dt.datetime
    window_number: int
    window_name: str
    staff_name: str
    badge_no: str
    level: int
    level_label: str
    reasons: tuple[str, ...]
    comment: str
    masked_phone: str


def _reason_labels(codes: list) -> tuple[str, ...]:
    labels = dict(Rating.Reason.choices)
    return tuple(str(labels.get(code, code)) for code in codes or ())


def _bad_review(rating: Rating) -> BadReview:
    visit = rating.visit
    return BadReview(
        rating_id=rating.pk,
        rated_at=rating.rated_at,
        window_number=visit.window.number,
        window_name=str(visit.window),
        staff_name=visit.staff.display_name if visit.staff else "",
        badge_no=visit.staff.badge_no if visit.staff else "",
        level=rating.level,
        level_label=str(rating.get_level_display()),
        reasons=_reason_labels(rating.reasons),
        comment=rating.comment,
        masked_phone=mask_phone(rating.callback_phone),
    )


def bad_reviews(
    *,
    hall: Hall,
    day: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = None,
) -> list[BadReview]:
    """The bad reviews (evaluations.rules: levels 1-2, not excluded) of the completed visits
    of one day or from start to end (both included), newest first, phones masked; the
    first `limit` only if given. They are the reviews the figures count as `bad`."""
    start, end = (day, day) if day is not None else (start, end)
    ratings = (
        Rating.objects.for_hall(hall)
        .bad()
        .filter(visit__status=Visit.Status.COMPLETED, visit__service_date__range=(start, end))
        .select_related("visit__window", "visit__staff")
        .order_by("-rated_at", "-pk")
    )
    if limit is not None:
        ratings = ratings[:limit]
    return [_bad_review(rating) for rating in ratings]


def staff_ratings(*, staff: Staff, start: dt.date, end: dt.date) -> QuerySet[Rating]:
    """A staff member's own ratings between two days, newest first (no phone needed)."""
    return (
        Rating.objects.filter(visit__staff=staff, visit__service_date__range=(start, end))
        .select_related("visit__window")
        .order_by("-rated_at", "-pk")
    )


def reason_labels(rating: Rating) -> tuple[str, ...]:
    return _reason_labels(rating.reasons)
