"""The hall's working-day calendar (contracts.md section 3).

A business day is a state working day of the People's Republic of China (statutory
holidays off, make-up working days 调休 on), minus the closures the hall's managers
enter, plus the extra opening days they enter; a day with completed visits on it always
counts (the hall evidently served that day).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar

from windows.models import Hall, HallCalendarDay, Visit

logger = logging.getLogger(__name__)


def state_is_workday(day: date) -> bool:
    """The state calendar's verdict; Monday to Friday for a year it does not know yet.

    The State Council publishes each year's holidays late in the year before; until the
    installed `chinesecalendar` knows them, managers enter the holidays as closures.
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("State calendar has no data for %s; assuming Monday to Friday.", day.year)
        return day.weekday() < 5


def business_days(
    *, hall: Hall, start: date, end: date, served: set[date] | None = None
) -> list[date]:
    """The hall's business days from start to end, both included, in order.

    `served`: the days of the range with a completed visit, if the caller has them
    already (e.g. from evaluations' daily rollups); read from the visits otherwise.
    """
    if end < start:
        return []
    overrides = dict(
        HallCalendarDay.objects.filter(hall=hall, date__range=(start, end)).values_list(
            "date", "kind"
        )
    )
    if served is None:
        served = set(
            Visit.objects.completed()
            .filter(hall=hall, service_date__range=(start, end))
            .order_by()  # the model's ordering would put started_at into the DISTINCT
            .values_list("service_date", flat=True)
            .distinct()
        )
    days = []
    day = start
    while day <= end:
        kind = overrides.get(day)
        if (
            day in served
            or kind == HallCalendarDay.Kind.EXTRA_OPENING
            or (kind != HallCalendarDay.Kind.CLOSURE and state_is_workday(day))
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def is_business_day(*, hall: Hall, day: date) -> bool:
    return bool(business_days(hall=hall, start=day, end=day))
