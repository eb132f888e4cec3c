"""Reads of the surge warning: arrivals per 15-minute slot, history days, capacity inputs.

Every count is one grouped query in the database, never a Python loop over visits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, ExtractHour, ExtractMinute, Floor, TruncDate

from evaluations.models import DailyFigures
from windows.models import Hall, QueueCategory, Visit, WindowSession
from windows.rules.hall_time import hall_day_bounds, hall_zone
from windows.workdays import business_days

from .predictor import SLOTS_PER_DAY, quantile

# History: the same weekday over the last RECENT_WEEKS weeks, plus the same weekday within
# SEASON_WEEKS weeks either side of today's date a year ago (the season: a November is
# judged with last November's days too).
RECENT_WEEKS = 8
SEASON_WEEKS = 2
# The learnt items per window-day: this percentile of the hall's business days over the
# last LEARN_DAYS days (what a window does on a busy, not an exceptional, day).
LEARN_DAYS = 56
LEARN_PERCENTILE = 0.9
ISSUED, STARTED = "issued", "started"
HALL = None  # the key of the whole hall in the per-category dictionaries


def arrival_basis(hall: Hall) -> str:
    """Tickets issued by the hall's own kiosk; visits started, for a hall without a queue
    category of its own (it imports an outside vendor's tickets: their issue times are
    not ours to trust, their start of service is)."""
    own_queue = QueueCategory.objects.filter(hall=hall, is_active=True).exists()
    return ISSUED if own_queue else STARTED


def arrival_counts(*, hall: Hall, days: list[date], basis: str = ISSUED) -> dict:
    """{(day, category id or None): [items arrived in each 15-minute slot of the local day]}
    of the hall's visits on the days (all but abandoned ones: a waiting ticket has arrived).

    One GROUP BY over (local day, slot, category): the slot is the local hour × 4 + the
    quarter, computed by the database in the hall's time zone.
    """
    if not days:
        return {}
    zone = hall_zone(hall)
    moment = "issued_at" if basis == ISSUED else "started_at"
    rows = (
        Visit.objects.filter(hall=hall, service_date__in=days)
        .exclude(status=Visit.Status.ABANDONED)
        .filter(**{f"{moment}__isnull": False})
        .annotate(
            local_day=TruncDate(moment, tzinfo=zone),
            slot=Cast(
                ExtractHour(moment, tzinfo=zone) * 4
                + Floor(ExtractMinute(moment, tzinfo=zone) / 15.0),
                IntegerField(),
            ),
        )
        .values("local_day", "slot", "category_id")
        .order_by()
        .annotate(items=Sum("item_count"))
    )
    wanted = set(days)
    counts: dict = {}
    for row in rows:
        day = row["local_day"]
        if day not in wanted:
            continue  # issued the evening before a day it was served: not that day's arrival
        key = (day, row["category_id"])
        slots = counts.setdefault(key, [0] * SLOTS_PER_DAY)
        slots[int(row["slot"])] += row["items"]
    return counts


def hall_totals(counts: dict) -> dict:
    """The per-category counts summed per day into the hall's: {day: [items per slot]}."""
    out: dict = defaultdict(lambda: [0] * SLOTS_PER_DAY)
    for (day, _category), slots in counts.items():
        total = out[day]
        for index, value in enumerate(slots):
            total[index] += value
    return dict(out)


def history_days(*, hall: Hall, today: date) -> list[date]:
    """The hall's business days on today's weekday: the last RECENT_WEEKS weeks and, a year
    ago, SEASON_WEEKS weeks either side of the same date (the season)."""
    recent = [today - timedelta(weeks=week) for week in range(1, RECENT_WEEKS + 1)]
    year_ago = today - timedelta(weeks=52)
    season = [year_ago + timedelta(weeks=week) for week in range(-SEASON_WEEKS, SEASON_WEEKS + 1)]
    candidates = sorted(set(recent + season))
    # business_days' "served" rule (a day with a completed visit is a business day), read
    # for the 13 candidates alone rather than for every day of the year they span.
    served = set(
        Visit.objects.completed()
        .filter(hall=hall, service_date__in=candidates)
        .order_by()
        .values_list("service_date", flat=True)
        .distinct()
    )
    open_days = set(
        business_days(hall=hall, start=candidates[0], end=candidates[-1], served=served)
    )
    return [day for day in candidates if day in open_days]


def learnt_items_per_window_day(*, hall: Hall, today: date) -> float:
    """The hall's LEARN_PERCENTILE items per window-day over its last LEARN_DAYS days
    (evaluations' daily rollups: one grouped query of a few thousand rows); 0 without any."""
    rows = (
        DailyFigures.objects.filter(
            hall=hall, day__gte=today - timedelta(days=LEARN_DAYS), day__lt=today
        )
        .values("day")
        .order_by()
        .annotate(total=Sum("items"), windows=Count("window", distinct=True, filter=Q(items__gt=0)))
    )
    per_window = sorted(row["total"] / row["windows"] for row in rows if row["windows"])
    return quantile(per_window, LEARN_PERCENTILE) if per_window else 0.0


@dataclass(frozen=True)
class WindowsToday:
    open_ids: frozenset[int]  # signed in at some time today
    by_category: dict  # category id -> frozenset of the window ids serving it


def windows_today(*, hall: Hall, day: date) -> WindowsToday:
    """The windows signed in today and, per active category, the windows that serve it
    (named on the category or in one of its zones)."""
    start, end = hall_day_bounds(hall, day)
    open_ids = frozenset(
        WindowSession.objects.filter(window__hall=hall, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .values_list("window_id", flat=True)
    )
    by_category: dict = defaultdict(set)
    named = QueueCategory.objects.filter(hall=hall, is_active=True).values_list("pk", "windows__pk")
    zoned = QueueCategory.objects.filter(
        hall=hall, is_active=True, zones__windows__is_active=True
    ).values_list("pk", F("zones__windows__pk"))
    for category_id, window_id in [*named, *zoned]:
        by_category[category_id]
        if window_id:
            by_category[category_id].add(window_id)
    return WindowsToday(
        open_ids=open_ids, by_category={key: frozenset(value) for key, value in by_category.items()}
    )
