"""Helpers shared by the reports tests: a visit with explicit times, items and rating."""

import datetime as dt

from evaluations.models import Rating
from evaluations.rollups import rollups_refresh
from tests.windows.factories import SHANGHAI, VisitFactory
from windows.models import Visit, VisitItem


def make_visit(
    hall,
    window,
    day: dt.date,
    *,
    items: int = 1,
    status: str = Visit.Status.COMPLETED,
    wait: int = 12,
    service: int = 8,
    staff=None,
    level: int | None = None,
    reasons: tuple[str, ...] = (),
    excluded: str = "",
    codes=(),
) -> Visit:
    """A visit started at 09:00 local time after `wait` minutes, served for `service` minutes;
    its day's rollups are kept as the services keep them."""
    started = dt.datetime.combine(day, dt.time(9, 0), tzinfo=SHANGHAI)
    visit = VisitFactory(
        hall=hall,
        window=window,
        staff=staff,
        service_date=day,
        status=status,
        item_count=items,
        issued_at=started - dt.timedelta(minutes=wait),
        started_at=started,
        finished_at=started + dt.timedelta(minutes=service),
    )
    if level is not None:
        Rating.objects.create(
            visit=visit,
            level=level,
            rated_at=visit.finished_at,
            reasons=list(reasons),
            excluded=excluded,
            source=Rating.Source.IMPORT,
        )
    for item in codes:
        VisitItem.objects.create(visit=visit, service_item=item)
    # Written without the services, so its day's rollups are refreshed as a writer would.
    rollups_refresh(hall_id=hall.pk, start=day, end=day, window_id=window.pk)
    return visit


# hall_stats' "queue" object of a hall without the portal's own queue (issue 14): no
# tickets, no appointments, no categories.
NO_QUEUE = {
    "tickets": 0,
    "visits": 0,
    "no_shows": 0,
    "no_show_rate_pct": None,
    "mean_wait_minutes": None,
    "mean_service_minutes": None,
    "appointments": 0,
    "appointments_on_time": 0,
    "appointments_missed": 0,
    "punctuality_pct": None,
    "categories": [],
}
