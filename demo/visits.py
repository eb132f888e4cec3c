"""The demo hall's visits and ratings (by default last year and this year up to now),
shaped like the source's annual review (a spring-festival and spring dip, an August surge, the
November-December medical-insurance peak) and an evaluation rate that climbs from about
60% to about 98% as the hall's daily inspections take hold.

Deterministic (one random generator seeded per day) and idempotent: a day that already
has visits of the hall is left alone, so a re-run adds only the days since the last run.
Each bad review opens its follow-up case; demo.casework plans the cases and
demo.casework_steps works them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from complaints.services.followups import followups_open
from evaluations.models import Rating
from windows.models import Hall, Staff, Visit, VisitItem, Window
from windows.rules.hall_time import hall_localtime, hall_zone
from windows.workdays import business_days

from . import catalogue

VISITS_PER_DAY = 110
# Month -> volume relative to an ordinary month (domain.md, "Volume analysis").
MONTH_SHAPE = {1: 1.0, 2: 0.7, 3: 0.9, 4: 0.85, 5: 0.95, 6: 1.0, 7: 1.05, 8: 1.35,
               9: 1.1, 10: 0.9, 11: 1.15, 12: 1.3}  # fmt: skip
MEDICAL_PEAK = {11: 2.4, 12: 2.0}  # the medical windows' year-end rush
TICKET_LETTER = {"社保通办": "A", "医保通办": "B", "企保待遇通办": "C"}
LEVELS = (5, 4, 3, 2, 1)
LEVEL_WEIGHTS = (90, 6, 2.5, 1, 0.5)
BATCH = 2000


@dataclass(frozen=True)
class DemoWindow:
    window: Window
    letter: str
    weight: float
    medical: bool
    item_ids: tuple[int, ...]
    staff_id: int | None


def seed_visits(*, hall: Hall, start: date, today: date, now: datetime | None = None) -> int:
    """Visits of the business days from start to today; returns how many were created.

    A day that is the real today gets visits only up to the current time of day.
    """
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
    span = max((today - start).days, 1)
    created = 0
    pending: list[tuple[Visit, tuple[int, ...], Rating | None]] = []
    for day in days:
        until = now.time() if day == now.date() else time(17, 30)
        progress = (day - start).days / span
        pending += _day_visits(hall, windows, day, until=until, progress=progress)
        if len(pending) >= BATCH:
            created += _write(pending)
            pending = []
    created += _write(pending)
    return created


def _demo_windows(hall: Hall) -> list[DemoWindow]:
    regulars = {spec.window_number: spec.badge_no for spec in catalogue.STAFF if spec.window_number}
    staff = dict(Staff.objects.filter(hall=hall).values_list("badge_no", "pk"))
    result = []
    for window in Window.objects.filter(hall=hall).active().select_related("zone"):
        item_ids = tuple(window.service_items.values_list("pk", flat=True))
        if not item_ids:
            continue
        zone = window.zone.name if window.zone else ""
        result.append(
            DemoWindow(
                window=window,
                letter=TICKET_LETTER.get(zone, "D"),
                weight=0.5 if window.is_specialist else 1.0,
                medical=zone == "医保通办",
                item_ids=item_ids,
                staff_id=staff.get(regulars.get(window.number, "")),
            )
        )
    return result


def _day_visits(
    hall: Hall, windows: list[DemoWindow], day: date, *, until: time, progress: float
) -> Iterator[tuple[Visit, tuple[int, ...], Rating | None]]:
    rng = random.Random(f"{hall.code}-{day.isoformat()}")
    counters: dict[str, int] = {}
    evaluation_rate = 0.6 + 0.38 * progress
    month = MONTH_SHAPE[day.month]
    for demo in windows:
        expected = VISITS_PER_DAY / len(windows) * demo.weight * month
        if demo.medical:
            expected *= MEDICAL_PEAK.get(day.month, 1.0)
        for _ in range(max(0, round(rng.gauss(expected, expected * 0.15)))):
            started = _local(hall, day, rng)
            if started.time() > until:
                continue
            counters[demo.letter] = counters.get(demo.letter, 0) + 1
            yield _visit(hall, demo, day, started, counters[demo.letter], rng, evaluation_rate)


def _local(hall: Hall, day: date, rng: random.Random) -> datetime:
    morning = rng.random() < 0.58
    minute = (
        rng.randrange(9 * 60, 11 * 60 + 45) if morning else rng.randrange(13 * 60 + 30, 17 * 60)
    )
    at = time(minute // 60, minute % 60, rng.randrange(60))
    return datetime.combine(day, at, hall_zone(hall))


def _visit(hall, demo, day, started, number, rng, evaluation_rate):
    issued = started - timedelta(seconds=rng.randrange(90, 40 * 60))
    roll = rng.random()
    status = (
        Visit.Status.NO_SHOW if roll < 0.04
        else Visit.Status.TRANSFERRED if roll < 0.07
        else Visit.Status.COMPLETED
    )  # fmt: skip
    finished = started + timedelta(seconds=rng.randrange(150, 25 * 60))
    count = rng.choices((1, 2, 3), weights=(60, 28, 12))[0]
    items = tuple(rng.sample(demo.item_ids, min(count, len(demo.item_ids))))
    completed = status == Visit.Status.COMPLETED
    visit = Visit(
        hall=hall,
        ticket_no=f"{demo.letter}{number:03d}",
        issued_at=issued,
        called_at=started - timedelta(seconds=rng.randrange(10, 60)),
        started_at=started,
        finished_at=finished if completed else None,
        service_date=day,
        window=demo.window,
        staff_id=demo.staff_id,
        status=status,
        item_count=len(items),
    )
    rating = None
    if completed and rng.random() < evaluation_rate:
        level = rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]
        bad = level < Rating.GOOD_FROM
        rating = Rating(
            level=level,
            rated_at=finished + timedelta(seconds=rng.randrange(3, 40)),
            source=Rating.Source.TABLET,
            reasons=[rng.choice(Rating.Reason.values)] if bad else [],
            comment="希望缩短等候时间" if bad and rng.random() < 0.5 else "",
        )
    return visit, items, rating


def _write(pending: list[tuple[Visit, tuple[int, ...], Rating | None]]) -> int:
    if not pending:
        return 0
    visits = Visit.objects.bulk_create([visit for visit, _, _ in pending], batch_size=BATCH)
    VisitItem.objects.bulk_create(
        (
            VisitItem(visit_id=visit.pk, service_item_id=item_id)
            for visit, (_, items, _) in zip(visits, pending, strict=True)
            for item_id in items
        ),
        batch_size=BATCH,
    )
    ratings = []
    for visit, (_, _, rating) in zip(visits, pending, strict=True):
        if rating is not None:
            rating.visit_id = visit.pk
            ratings.append(rating)
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    followups_open(ratings=ratings)
    return len(visits)
