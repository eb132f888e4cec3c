"""The hall's figures for any date range, for the hall or per zone, window, staff or item.

What is a sum over days (visits, items, ratings, no-shows, the general windows' items and
the waiting and service times' totals) is read from the daily rollups
(evaluations.models.DailyFigures): a few rows per window and day, whatever the years
stored. What a sum cannot give is read from the visits themselves: the bad reviews by
reason (a rating's reasons are not rolled up), counted over the range's bad reviews only,
and the 90th percentiles of the completed visits, grouped by their window or staff column
(no join), `percentile_cont(0.9)` on PostgreSQL and, on SQLite (which has no percentile
aggregate), the same linear interpolation from the two ordered values around the 90%
position, read with ORDER BY ... LIMIT 2 OFFSET k per group.
Waiting (issued_at to called_at, or to started_at when the call time is unknown:
evaluations.rollups.WAIT) and service (finished_at - started_at) times are those of
completed visits, in seconds, rounded to 1 decimal; the averages are the rollups' sums over
the completed visits, rounded to the microsecond as Avg() gave them.

Groups: "hall" gives one row even without visits; the others give one row per zone,
window or staff member with at least one counted visit (completed, transferred or no-show)
in the range. Visits with no staff member recorded are left out of the "staff" rows.

Per service item, items = completed visits that handled the item; that grouping reads the
visits (the item rollup has no waiting times, no-shows or transfers; nothing shows it yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import Contains

from evaluations import rules
from evaluations.models import DailyFigures, Rating
from evaluations.rollups import SERVICE, WAIT
from evaluations.selectors.figures import ServiceFigures, figure_aggregates
from evaluations.selectors.percentiles import Percentile90Seconds, interpolated
from evaluations.selectors.rollups import average_duration, rollup_figure_aggregates
from reports.selectors.volume import general_window
from windows.models import Hall, Visit, Zone
from windows.rules.rounding import percent, ratio, round_half_up
from windows.workdays import business_days

GROUPINGS = ("hall", "zone", "window", "staff", "service_item")

FIGURE_FIELDS = tuple(figure_aggregates())


@dataclass(frozen=True)
class PeriodStats:
    key: str
    label: str
    visits: int
    items: int
    business_days: int
    daily_average_items: float | None
    evaluation_rate_pct: float | None
    satisfaction_rate_pct: float | None
    bad_reviews: int
    bad_reviews_by_reason: dict[str, int]
    avg_wait_seconds: float | None
    p90_wait_seconds: float | None
    avg_service_seconds: float | None
    p90_service_seconds: float | None
    no_shows: int
    no_show_rate_pct: float | None
    general_share_pct: float | None
    excluded_ratings: int = 0  # judged malicious or mistaken: rated, neither good nor bad


def _seconds(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds()
    return round_half_up(value, 1)


def _group_fields(by: str) -> tuple[dict, list[str]]:
    """Annotations naming each group (key, label) and the order of the rows: the same on
    the visits and on the rollups (both have a hall, a window and a staff member)."""
    if by == "hall":
        return {"group_key": F("hall__code"), "group_label": F("hall__name")}, ["group_key"]
    if by == "zone":
        general = Q(window__zone__kind=Zone.Kind.GENERAL)
        return {
            "group_key": Case(When(general, then=F("window__zone__name")), default=Value("")),
            "group_label": Case(When(general, then=F("window__zone__name")), default=Value("")),
            "group_order": Case(
                When(general, then=F("window__zone__sort_order")), default=Value(32767)
            ),
        }, ["group_order", "group_key"]
    if by == "window":
        return {"group_key": F("window__number"), "group_label": F("window__name")}, ["group_key"]
    if by == "staff":
        return {"group_key": F("staff__badge_no"), "group_label": F("staff__display_name")}, [
            "group_key"
        ]
    return {
        "group_key": F("visit_items__service_item__code"),
        "group_label": F("visit_items__service_item__name"),
    }, ["group_key"]


def _reason_aggregates() -> dict:
    """Bad reviews by reason, over visits (a bad review may give several reasons)."""
    bad = Q(status=Visit.Status.COMPLETED) & rules.bad_q("rating__")
    reasons_text = Cast("rating__reasons", TextField())
    return {
        f"reason_{reason}": Count("pk", filter=bad & Q(Contains(reasons_text, f'"{reason}"')))
        for reason in Rating.Reason.values
    }


def _percentile_aggregates(completed: Q | None = None) -> dict:
    """PostgreSQL's 90th percentiles (none on SQLite), over completed visits: those of the
    queryset, or those the filter `completed` picks."""
    if connection.vendor != "postgresql":
        return {}
    return {
        "p90_wait": Percentile90Seconds(WAIT, filter=completed),
        "p90_service": Percentile90Seconds(SERVICE, filter=completed),
    }


def _rollup_aggregates() -> dict:
    """The sums of the rollups a PeriodStats row needs (general_items first: an
    annotation named "items" would shadow the column it sums)."""
    return {
        "general_items": Sum("items", filter=general_window(), default=0),
        "wait_microseconds": Sum("wait_microseconds", default=0),
        "service_microseconds": Sum("service_microseconds", default=0),
        **rollup_figure_aggregates(),
    }


def _from_rollup(row: dict) -> dict:
    """A rollup row's sums as the figures of a row (averages from the sums)."""
    return {
        **row,
        "all_visits": row["visits"] + row["transferred"] + row["no_shows"],
        "avg_wait": average_duration(row["wait_microseconds"], row["visits"]),
        "avg_service": average_duration(row["service_microseconds"], row["visits"]),
    }


def _item_aggregates() -> dict:
    """Per service item, from the visits: each visit counts once per item it handled."""
    completed = Q(status=Visit.Status.COMPLETED)
    return {
        **figure_aggregates(),
        "items": Count("pk", filter=completed),
        "general_items": Count("pk", filter=completed & general_window()),
        **_reason_aggregates(),
        "all_visits": Count("pk", filter=Q(status__in=Visit.COUNTED_STATUSES)),
        "avg_wait": Avg(WAIT, filter=completed),
        "avg_service": Avg(SERVICE, filter=completed),
        **_percentile_aggregates(completed),
    }


def _percentile_by_offset(visits: QuerySet, expression, count: int) -> float | None:
    """percentile_cont(0.9) of `count` ordered durations, in seconds (SQLite)."""
    value = interpolated(visits, expression, count)
    return None if value is None else value.total_seconds()


def _visits(hall: Hall, start: date, end: date) -> QuerySet:
    return Visit.objects.filter(hall=hall, service_date__range=(start, end))


def _grouped(
    queryset: QuerySet, group_fields: dict, aggregates: dict, ordering=(), columns=()
) -> list[dict]:
    return list(
        queryset.annotate(**group_fields)
        .values(*columns, *group_fields)
        .annotate(**aggregates)
        .order_by(*ordering)
    )


# The visits' column naming a group, when there is one: the detail queries group by it,
# with no join to the windows or staff (a zone groups several windows: by its fields).
DETAIL_KEY = {"hall": None, "window": "window_id", "staff": "staff_id"}


def period_stats(*, hall: Hall, start: date, end: date, by: str = "hall") -> list[PeriodStats]:
    """The figures of each group's visits from start to end (both included)."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    visits = _visits(hall, start, end)
    rollups = DailyFigures.objects.filter(hall=hall, day__range=(start, end))
    if by == "staff":
        visits = visits.filter(staff__isnull=False)
        rollups = rollups.filter(staff__isnull=False)
    group_fields, ordering = _group_fields(by)
    if by == "service_item":
        rows = _grouped(visits, group_fields, _item_aggregates(), ordering)
        rows = [row for row in rows if row["group_key"] is not None]  # visits without items
    else:
        key = DETAIL_KEY.get(by)
        rows = [
            _from_rollup(row)
            for row in _grouped(
                rollups, group_fields, _rollup_aggregates(), ordering, [key] if key else []
            )
        ]
        if by == "hall" and not rows:
            rows = [
                _from_rollup(
                    {
                        "group_key": hall.code,
                        "group_label": hall.name,
                        **rollups.aggregate(**_rollup_aggregates()),
                    }
                )
            ]
        _add_detail(rows, visits.completed(), by, group_fields)
    days = len(business_days(hall=hall, start=start, end=end))
    return [_row_stats(row, by, visits, group_fields, days) for row in rows]


def _detail(completed: QuerySet, by: str, group_fields: dict, aggregates: dict) -> dict:
    """The aggregates of the completed visits by group (see DETAIL_KEY)."""
    if not aggregates:
        return {}
    if by == "hall":
        return {None: completed.aggregate(**aggregates)}
    key = DETAIL_KEY.get(by)
    if key:
        rows = completed.values(key).annotate(**aggregates).order_by()
        return {row[key]: row for row in rows}
    return {row["group_key"]: row for row in _grouped(completed, group_fields, aggregates)}


def _add_detail(rows: list[dict], completed: QuerySet, by: str, group_fields: dict) -> None:
    """Add to each group's row what the rollups cannot give: the bad reviews by reason
    (counted over the bad reviews only) and, on PostgreSQL, the 90th percentiles (over the
    completed visits, without joining their ratings)."""
    reasons = _reason_aggregates()
    percentiles = _percentile_aggregates()
    by_reason = _detail(completed.filter(rules.bad_q("rating__")), by, group_fields, reasons)
    by_percentile = _detail(completed, by, group_fields, percentiles)
    key = DETAIL_KEY.get(by, "group_key")
    for row in rows:
        group = row[key] if key else None
        row.update(by_reason.get(group, dict.fromkeys(reasons, 0)))
        row.update(by_percentile.get(group, dict.fromkeys(percentiles)))


def _row_stats(row: dict, by: str, visits: QuerySet, group_fields: dict, days: int) -> PeriodStats:
    figures = ServiceFigures(**{name: row[name] for name in FIGURE_FIELDS})
    if "p90_wait" in row:
        p90_wait, p90_service = row["p90_wait"], row["p90_service"]
    else:
        completed = visits.completed()
        if by != "hall":
            group_key = next(iter(group_fields))
            completed = completed.annotate(**group_fields).filter(**{group_key: row[group_key]})
        p90_wait = _percentile_by_offset(completed, WAIT, figures.visits)
        p90_service = _percentile_by_offset(completed, SERVICE, figures.visits)
    label = row["group_label"]
    if by == "window" and not label:
        label = str(row["group_key"])
    return PeriodStats(
        key=str(row["group_key"]),
        label=label or "",
        visits=figures.visits,
        items=figures.items,
        business_days=days,
        daily_average_items=ratio(figures.items, days, places=1),
        evaluation_rate_pct=figures.evaluation_rate_pct,
        satisfaction_rate_pct=figures.satisfaction_rate_pct,
        bad_reviews=figures.bad,
        bad_reviews_by_reason={reason: row[f"reason_{reason}"] for reason in Rating.Reason.values},
        avg_wait_seconds=_seconds(row["avg_wait"]),
        p90_wait_seconds=_seconds(p90_wait),
        avg_service_seconds=_seconds(row["avg_service"]),
        p90_service_seconds=_seconds(p90_service),
        no_shows=figures.no_shows,
        no_show_rate_pct=percent(figures.no_shows, row["all_visits"]),
        general_share_pct=percent(row["general_items"], figures.items, places=1),
        excluded_ratings=figures.excluded,
    )


def general_share_pct(*, hall: Hall, start: date, end: date) -> float | None:
    """通办占比 of the hall's items from start to end, from the rollups alone: the same
    figure period_stats gives as general_share_pct, without its detail queries (90th
    percentiles, reasons) that a caller wanting only the share does not need."""
    sums = DailyFigures.objects.filter(hall=hall, day__range=(start, end)).aggregate(
        general_items=Sum("items", filter=general_window(), default=0),
        all_items=Sum("items", default=0),
    )
    return percent(sums["general_items"], sums["all_items"], places=1)


def _hall_stats(hall: Hall, start: date, end: date) -> PeriodStats:
    return period_stats(hall=hall, start=start, end=end)[0]


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period_comparison(*, hall: Hall, start: date, end: date) -> dict:
    """The hall's figures beside the same number of days right before and a year before."""
    length = end - start
    previous_end = start - timedelta(days=1)
    current = _hall_stats(hall, start, end)
    previous = _hall_stats(hall, previous_end - length, previous_end)
    last_year = _hall_stats(hall, _year_before(start), _year_before(end))
    return {
        "current": current,
        "previous_period": previous,
        "same_period_last_year": last_year,
        "items_change_pct": percent(current.items - previous.items, previous.items),
        "items_yoy_pct": percent(current.items - last_year.items, last_year.items),
    }


def _daily(hall: Hall, start: date, end: date) -> QuerySet:
    """Items of each day with completed visits, from the rollups (a day whose counted
    visits were all transferred or no-shows has rows, but no completed visit)."""
    return (
        DailyFigures.objects.filter(hall=hall, day__range=(start, end))
        .values("day")
        .annotate(items=Sum("items"), completed=Sum("visits"))
        .filter(completed__gt=0)
    )


def peak_days(*, hall: Hall, start: date, end: date, limit: int = 5) -> list[tuple[date, int]]:
    """The days with the most items, most first (the earlier day first on a tie)."""
    rows = _daily(hall, start, end).order_by("-items", "day")[:limit]
    return [(row["day"], row["items"]) for row in rows]


def daily_items(*, hall: Hall, start: date, end: date) -> list[tuple[date, int]]:
    """Items of every calendar day from start to end, 0 on a day without completed visits."""
    items = {row["day"]: row["items"] for row in _daily(hall, start, end).order_by()}
    days = []
    day = start
    while day <= end:
        days.append((day, items.get(day, 0)))
        day += timedelta(days=1)
    return days
