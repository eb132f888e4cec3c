"""The demo hall's visits and ratings (by default last year and this year up to now), at
the scale and in the shape of the source's hall (demo.volume: ~560 completed visits and
~830 items a business day, the months, weekdays and hours of a real hall), with an
evaluation rate that climbs from about 60% to about 98% as the hall's daily inspections
take hold, and about one bad review in 250 ratings.

The visits are written by the visits import's own store (imports.visit_store: one
statement per table and batch, no model instance per row), the hundreds of thousands
of rows of two years in seconds. The store writes what a queue-system export holds; the
demo's ratings were made on the tablets, so they are marked so, and the bad reviews get
their reasons and comments before they open their follow-up cases (through
complaints.services.followups); demo.casework plans the cases and demo.casework_steps
works them.

Deterministic (one random generator seeded per day) and idempotent: a day that already
has visits of the hall is left alone, so a re-run adds only the days since the last run.
The real today gets the visits finished by now.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from complaints.services.followups import followups_open
from evaluations.models import Rating
from imports.visit_store import NewVisit, StoredRating, VisitStore
from windows.models import Hall, Staff, Visit, Window
from windows.rules.hall_time import hall_localtime, hall_zone
from windows.workdays import business_days

from . import volume
from .roster import roster_plan

TICKET_LETTER = {"社保通办": "A", "医保通办": "B", "企保待遇通办": "C"}
SPECIALIST_LETTER = "D"
COMPLETED, NO_SHOW, TRANSFERRED = (
    Visit.Status.COMPLETED.value,
    Visit.Status.NO_SHOW.value,
    Visit.Status.TRANSFERRED.value,
)
BATCH = 20_000  # visits a batch of the store
TICKETS_FROM = 8 * 3600 + 30 * 60  # the ticket machine starts at 8:30
MIN_GAP = 90  # seconds from one ticket's start to the next at a window: one at a time
HOUR_SPANS = tuple((start * 60, end * 60) for start, end, _ in volume.HOURS)
PEAK_SPANS = tuple((start * 60, end * 60) for start, end in volume.PEAK_HOURS)
HOUR_WEIGHTS = tuple(accumulate(weight for _, _, weight in volume.HOURS))
LEVEL_WEIGHTS = tuple(accumulate(volume.LEVEL_WEIGHTS))
# What a bad review says: its first reason (weights) and the comments that go with it.
REASONS = {
    Rating.Reason.LONG_WAIT: (35, ("希望缩短等候时间", "排队太久，窗口开得太少")),
    Rating.Reason.ATTITUDE: (20, ("工作人员态度生硬", "问了两遍才回答")),
    Rating.Reason.NOTIFICATION: (20, ("材料没有一次说清楚，跑了两趟", "")),
    Rating.Reason.UNSKILLED: (15, ("业务不熟练，办了很久", "")),
    Rating.Reason.OTHER: (10, ("", "系统太慢")),
}


@dataclass(frozen=True)
class DemoWindow:
    pk: int
    number: int
    letter: str
    desk: str
    item_ids: tuple[int, ...]
    items_weights: tuple[int, ...]  # cumulative weights of 1, 2, ... items on a ticket


def seed_visits(
    *, hall: Hall, start: date, today: date, now: datetime | None = None, scale: float = 1.0
) -> int:
    """Visits of the business days from start to today that have none yet; returns how
    many were created. `scale` multiplies the source's volume (tests use a fraction)."""
    now = hall_localtime(hall, now)
    windows = _demo_windows(hall)
    if not windows:
        return 0
    seeded = set(
        Visit.objects.filter(hall=hall, service_date__range=(start, today))
        .values_list("service_date", flat=True)
        .distinct()
    )
    days = [day for day in business_days(hall=hall, start=start, end=today) if day not in seeded]
    if not days:
        return 0
    day_plan = DayPlan(
        hall=hall,
        windows=windows,
        staff=dict(Staff.objects.filter(hall=hall).values_list("badge_no", "pk")),
        volume=volume.Volume(hall=hall, desks=Counter(window.desk for window in windows)),
        since=start,
        scale=scale,
    )
    store = VisitStore.for_database()
    created, bad_ratings, pending = 0, [], []
    for day in days:
        until = _seconds(now.time()) if day == now.date() else None
        pending += day_plan.rows(day, until=until)
        if len(pending) >= BATCH or day == days[-1]:
            result = store.write(store.prepare(pending))
            created += result.visits
            bad_ratings += result.bad_ratings
            pending = []
    Rating.objects.filter(
        visit__hall=hall, visit__service_date__in=days, source=Rating.Source.IMPORT
    ).update(source=Rating.Source.TABLET)
    bad_reviews = [_bad_review(hall, stored) for stored in bad_ratings]
    Rating.objects.bulk_update(bad_reviews, ["reasons", "comment"], batch_size=500)
    followups_open(ratings=bad_reviews)
    store.analyze()
    return created


def _demo_windows(hall: Hall) -> list[DemoWindow]:
    result = []
    for window in Window.objects.filter(hall=hall).active().select_related("zone"):
        item_ids = tuple(window.service_items.order_by("pk").values_list("pk", flat=True))
        if not item_ids:
            continue
        zone = window.zone.name if window.zone else ""
        desk = volume.desk_of(number=window.number, zone=zone)
        result.append(
            DemoWindow(
                pk=window.pk,
                number=window.number,
                letter=TICKET_LETTER.get(zone, SPECIALIST_LETTER),
                desk=desk,
                item_ids=item_ids,
                items_weights=tuple(accumulate(volume.DESKS[desk].items_weights)),
            )
        )
    return result


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


@dataclass
class DayPlan:
    """Draws a business day's tickets at each window around the day's expected volume."""

    hall: Hall
    windows: list[DemoWindow]
    staff: dict[str, int]  # pk by badge
    volume: volume.Volume
    since: date
    scale: float

    def __post_init__(self) -> None:
        self.per_desk = Counter(window.desk for window in self.windows)

    def rows(self, day: date, *, until: int | None = None) -> list[NewVisit]:
        """The day's visits as the store takes them; with `until` (seconds into the day),
        only those finished by then (and rated by then, else unrated)."""
        rng = random.Random(f"{self.hall.code}-{day.isoformat()}")
        expected = self.volume.visits(day)
        by_window = roster_plan(day)[0]
        rate = volume.evaluation_rate(since=self.since, day=day)
        peak = self.volume.is_peak(day)
        busy = max(0.5, rng.gauss(1.0, volume.DAY_JITTER))
        if peak:  # the source's peak day, as near as the tickets' draws allow
            busy = 1.0
        busy *= self.scale / volume.COMPLETED_SHARE
        drafts = []
        for window in self.windows:
            mean = expected.get(window.desk, 0.0) / self.per_desk[window.desk] * busy
            count = round(mean if peak else max(0.0, rng.gauss(mean, math.sqrt(mean))))
            starts = _start_seconds(rng, count)
            staff_id = self.staff.get(by_window.get(window.number, ""))
            for index, started in enumerate(starts):
                following = starts[index + 1] if index + 1 < count else None
                draft = _draft(rng, window, started, following, rate)
                if until is not None:
                    draft = _by(draft, until)
                if draft is not None:
                    drafts.append((window, staff_id, draft))
        return self._numbered(day, drafts)

    def _numbered(self, day: date, drafts: list) -> list[NewVisit]:
        """Ticket numbers by letter in the order the tickets were issued (A001, A002...)."""
        text = DayClock(day, hall_zone(self.hall)).text
        drafts.sort(key=lambda entry: (entry[0].letter, entry[2][0], entry[0].number))
        counters: Counter[str] = Counter()
        rows = []
        service_date, hall_id = day.isoformat(), self.hall.pk
        for window, staff_id, draft in drafts:
            issued, called, started, finished, status, items, level, rated = draft
            counters[window.letter] += 1
            rows.append(
                NewVisit(
                    hall_id,
                    f"{window.letter}{counters[window.letter]:03d}",
                    text(issued),
                    text(called),
                    text(started),
                    None if finished is None else text(finished),
                    service_date,
                    window.pk,
                    staff_id,
                    status,
                    len(items),
                    items,
                    level,
                    None if rated is None else text(rated),
                )
            )
        return rows


class DayClock:
    """The UTC text the store takes (`YYYY-MM-DD HH:MM:SS`) of a second of a local day.

    The offset is the day's at noon: a hall's hours do not straddle a change of it.
    """

    CLOCK: list[str] = []  # HH:MM:SS of each second of a day, made once

    def __init__(self, day: date, zone: ZoneInfo) -> None:
        if not DayClock.CLOCK:
            DayClock.CLOCK = [
                f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
            ]
        offset = datetime.combine(day, time(12), zone).utcoffset() or timedelta()
        self.offset = int(offset.total_seconds())
        self.prefix = {shift: f"{day + timedelta(days=shift)} " for shift in (-1, 0, 1)}

    def text(self, seconds: int) -> str:
        shift, rest = divmod(seconds - self.offset, DAY_SECONDS)
        return self.prefix[shift] + self.CLOCK[rest]


DAY_SECONDS = 24 * 3600
# A ticket as seconds from the day's midnight: issued, called, started, finished (None
# unless completed), status, item ids, rating level and rated (None when not rated).
Draft = tuple[int, int, int, int | None, str, list[int], int | None, int | None]


def _start_seconds(rng: random.Random, count: int) -> list[int]:
    """When the window starts each of `count` tickets, in order, by the hall's hours
    (volume.HOURS), at least MIN_GAP seconds apart."""
    random_ = rng.random
    total = HOUR_WEIGHTS[-1]
    starts = []
    for _ in range(count):
        low, high = HOUR_SPANS[bisect(HOUR_WEIGHTS, random_() * total)]
        starts.append(low + int(random_() * (high - low)))
    starts.sort()
    for index in range(1, count):
        starts[index] = max(starts[index], starts[index - 1] + MIN_GAP)
    return starts


def _draft(
    rng: random.Random, window: DemoWindow, started: int, following: int | None, rate: float
) -> Draft:
    """A ticket started at `started` at the window; the next one starts at `following`."""
    random_ = rng.random
    weights = window.items_weights
    count = bisect(weights, random_() * weights[-1]) + 1
    ids = window.item_ids
    if count == 1:
        items = [ids[int(random_() * len(ids))]]
    else:
        items = rng.sample(ids, min(count, len(ids)))
    peak = any(low <= started < high for low, high in PEAK_SPANS)
    wait = 60 + min(int(rng.expovariate(1 / (720 if peak else 300))), 3600)
    issued = max(TICKETS_FROM, started - wait)
    called = max(issued, started - 10 - int(random_() * 50))
    roll = random_()
    if roll < volume.NO_SHOW:
        return (issued, called, started, None, NO_SHOW, items, None, None)
    if roll < volume.NO_SHOW + volume.TRANSFERRED:
        return (issued, called, started, None, TRANSFERRED, items, None, None)
    finished = started + len(items) * (110 + int(random_() * 220)) + 30 + int(random_() * 90)
    if following is not None:  # done before the window calls the next ticket
        finished = max(started + 45, min(finished, following - 5 - int(random_() * 25)))
    level = rated = None
    if random_() < rate:
        level = volume.LEVELS[bisect(LEVEL_WEIGHTS, random_() * LEVEL_WEIGHTS[-1])]
        rated = finished + 3 + int(random_() * 37)
    return (issued, called, started, finished, COMPLETED, items, level, rated)


def _by(draft: Draft, until: int) -> Draft | None:
    """The ticket as it stands at `until`: None if not over yet (not in the history), its
    rating left out if not made yet."""
    started, finished, rated = draft[2], draft[3], draft[7]
    if (finished if finished is not None else started) > until:
        return None
    if rated is not None and rated > until:
        return (*draft[:6], None, None)
    return draft


def _bad_review(hall: Hall, stored: StoredRating) -> Rating:
    """A bad review as the tablet took it: reasons and perhaps a comment (drawn from its
    time, so a re-run of the same seed draws the same)."""
    rng = random.Random(f"{hall.code}-bad-review-{stored.rated_at.isoformat()}")
    reasons = list(REASONS)
    first = rng.choices(reasons, weights=[weight for weight, _ in REASONS.values()])[0]
    chosen = [first]
    if rng.random() < 0.25:
        chosen.append(rng.choice([reason for reason in reasons if reason != first]))
    return Rating(
        pk=stored.pk,
        visit_id=stored.visit_id,
        level=stored.level,
        rated_at=stored.rated_at,
        source=Rating.Source.TABLET,
        reasons=[str(reason) for reason in chosen],
        comment=rng.choice(REASONS[first][1]),
    )
