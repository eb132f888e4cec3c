"""Bad reviews (差评) open follow-up cases, due after the hall's number of working days.

The cases hold everything the complaints work needs to take them over (visit through the
rating, level, reasons, comment, callback phone, due date), copied at opening time.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from evaluations.models import Channel, Complaint, Rating
from windows.models import Hall, Visit
from windows.workdays import business_days

# Long enough for any run of holidays (Spring Festival with weekends is under 2 weeks).
SEARCH_SPAN_DAYS = 31


def local_day(rating: Rating) -> date:
    """The hall's local day of a rating (times are stored in UTC)."""
    return rating.rated_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def followup_due_date(*, hall: Hall, rated_on: date) -> date:
    """The hall's `followup_due_working_days`-th business day after the day of the rating.

    With 0 working days the case is due on the day of the rating itself.
    """
    wanted = hall.followup_due_working_days
    if wanted == 0:
        return rated_on
    start = rated_on + timedelta(days=1)
    found: list[date] = []
    while True:
        end = start + timedelta(days=SEARCH_SPAN_DAYS - 1)
        found += business_days(hall=hall, start=start, end=end)
        if len(found) >= wanted:
            return found[wanted - 1]
        start = end + timedelta(days=1)


def _case_for(rating: Rating, *, visit: dict, due_date: date) -> Complaint:
    return Complaint(
        hall_id=visit["hall_id"],
        channel=Channel.BAD_REVIEW,
        received_at=rating.rated_at,
        rating=rating,
        level=rating.level,
        reasons=list(rating.reasons),
        comment=rating.comment,
        callback_phone=rating.callback_phone,
        window_id=visit["window_id"],
        staff_id=visit["staff_id"],
        due_date=due_date,
    )


VISIT_FIELDS = ("pk", "hall_id", "window_id", "staff_id")


@transaction.atomic
def followup_open(*, rating: Rating) -> Complaint | None:
    """Open the follow-up case of a bad rating; None for a good one. Idempotent."""
    if rating.is_good:
        return None
    existing = Complaint.objects.filter(rating=rating).first()
    if existing is not None:
        return existing
    visit = Visit.objects.filter(pk=rating.visit_id).values(*VISIT_FIELDS).get()
    hall = Hall.objects.get(pk=visit["hall_id"])
    due_date = followup_due_date(hall=hall, rated_on=local_day(rating))
    case = _case_for(rating, visit=visit, due_date=due_date)
    case.save()
    return case


@transaction.atomic
def followups_open(*, ratings: list[Rating]) -> int:
    """Open the cases of the bad ratings among many (an import); returns how many opened.

    Ratings that already have a case are skipped, so calling it twice opens nothing twice.
    Due dates are computed once per hall and day.
    """
    bad = [rating for rating in ratings if not rating.is_good]
    if not bad:
        return 0
    taken = set(
        Complaint.objects.filter(rating__in=[r.pk for r in bad]).values_list(
            "rating_id", flat=True
        )
    )
    pending = [rating for rating in bad if rating.pk not in taken]
    visits = {
        visit["pk"]: visit
        for visit in Visit.objects.filter(pk__in=[r.visit_id for r in pending]).values(
            *VISIT_FIELDS
        )
    }
    halls = Hall.objects.in_bulk({visit["hall_id"] for visit in visits.values()})
    due_dates: dict[tuple[int, date], date] = {}
    cases = []
    for rating in pending:
        visit = visits[rating.visit_id]
        key = (visit["hall_id"], local_day(rating))
        if key not in due_dates:
            due_dates[key] = followup_due_date(hall=halls[key[0]], rated_on=key[1])
        cases.append(_case_for(rating, visit=visit, due_date=due_dates[key]))
    Complaint.objects.bulk_create(cases)
    return len(cases)
