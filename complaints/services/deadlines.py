"""How long each step of a case may take, on the hall's working-day calendar.

A step's deadline is the Nth business day of the hall (windows.workdays: state holidays
off, make-up working days on, the hall's closures off) after the day the step began.
N comes from the hall's DeadlineRule for the channel and step (managers set them in the
admin) or, without one, from DEFAULT_RULES.

The defaults follow the 好差评 practice: contact the citizen within 1 working day
(received), verify within 1, assign within 1, fix within 3, call back within 1 of the
reply and close within 1 of the callback. A 12345 work order has 13 working days as a
whole (the city's rule for complaint orders): 1 + 1 + 1 + 8 + 1 + 1. A bad review's
first step (contacting the citizen) takes the hall's `followup_due_working_days` unless
a rule says otherwise.

Overdue cases: an open case whose `due_date` is before today (`is_overdue`); lists filter
them with `Complaint.objects.open().filter(due_date__lt=today)`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from datetime import date, timedelta

from complaints.models import Channel, Complaint, DeadlineRule
from windows.models import Hall
from windows.workdays import business_days

Step = Complaint.Status

# Long enough for any run of holidays (Spring Festival with weekends is under 2 weeks).
SEARCH_SPAN_DAYS = 31

_USUAL = {
    Step.RECEIVED: 1,
    Step.VERIFIED: 1,
    Step.ASSIGNED: 1,
    Step.IN_PROGRESS: 3,
    Step.REPLIED: 1,
    Step.CALLBACK_DONE: 1,
}

DEFAULT_RULES: dict[str, dict[str, int]] = {
    Channel.ON_SITE: dict(_USUAL),
    Channel.HOTLINE: dict(_USUAL),
    Channel.ONLINE: dict(_USUAL),
    Channel.BAD_REVIEW: dict(_USUAL),
    Channel.WORK_ORDER_12345: {**_USUAL, Step.IN_PROGRESS: 8},
}


def working_days_for(*, hall: Hall, channel: str, step: str) -> int:
    """The working days a step may take: the hall's rule, else the default."""
    rule = (
        DeadlineRule.objects.filter(hall=hall, channel=channel, step=step)
        .values_list("working_days", flat=True)
        .first()
    )
    if rule is not None:
        return rule
    if channel == Channel.BAD_REVIEW and step == Step.RECEIVED:
        return hall.followup_due_working_days
    return DEFAULT_RULES[channel][step]


def nth_business_day_after(*, hall: Hall, start: date, days: int) -> date:
    """The hall's `days`-th business day after start; start itself for 0 days."""
    if days <= 0:
        return start
    first = start + timedelta(days=1)
    found: list[date] = []
    while True:
        end = first + timedelta(days=SEARCH_SPAN_DAYS - 1)
        found += business_days(hall=hall, start=first, end=end)
        if len(found) >= days:
            return found[days - 1]
        first = end + timedelta(days=1)


def step_due_date(*, hall: Hall, channel: str, step: str, start: date) -> date:
    """When a step that began on `start` must be done (see the module docstring)."""
    days = working_days_for(hall=hall, channel=channel, step=step)
    return nth_business_day_after(hall=hall, start=start, days=days)


def step_due_dates(
    *, hall: Hall, channel: str, step: str, starts: Collection[date]
) -> dict[date, date]:
    """step_due_date for many start days at once (an import's bad reviews): the rule is
    read once and the business days of the whole span with one call, not per day."""
    if not starts:
        return {}
    days = working_days_for(hall=hall, channel=channel, step=step)
    if days <= 0:
        return {start: start for start in starts}
    first, last = min(starts), max(starts)
    calendar = business_days(
        hall=hall, start=first + timedelta(days=1), end=last + timedelta(days=SEARCH_SPAN_DAYS)
    )
    due: dict[date, date] = {}
    for start in starts:
        position = bisect_right(calendar, start) + days - 1
        due[start] = (
            calendar[position]
            if position < len(calendar)
            else nth_business_day_after(hall=hall, start=start, days=days)
        )
    return due


def is_overdue(complaint: Complaint, today: date) -> bool:
    """An open case past its current step's deadline (due today is not overdue yet)."""
    return complaint.status != Step.CLOSED and complaint.due_date < today
