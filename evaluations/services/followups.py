"""Bad reviews (差评) open complaint cases (channel bad_review) at their first step.

The first step is due after the hall's deadline rule for it (evaluations.services.deadlines;
without a rule, the hall's `followup_due_working_days`), and the hall's duty leader is
alerted (evaluations.services.alerts).

The cases hold everything the complaints work needs to take them over (visit through the
rating, level, reasons, comment, callback phone, due date), copied at opening time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from evaluations.models import Channel, Complaint, Rating
from evaluations.services import alerts
from evaluations.services.deadlines import step_due_date, step_due_dates
from windows.models import Hall, Visit


def local_day(rating: Rating) -> date:
    """The hall's local day of a rating (times are stored in UTC)."""
    return rating.rated_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def followup_due_date(*, hall: Hall, rated_on: date) -> date:
    """When the first step of a bad review's case is due: the hall's deadline rule for
    bad reviews' received step, else `followup_due_working_days`, in business days after
    the day of the rating (0 working days: the day of the rating itself).
    """
    return step_due_date(
        hall=hall, channel=Channel.BAD_REVIEW, step=Complaint.Status.RECEIVED, start=rated_on
    )


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
    case._change_reason = _("opened from a bad review")
    case.save()
    alerts.duty_alert_for(complaint=case)
    return case


@transaction.atomic
def followups_open(*, ratings: list[Rating]) -> int:
    """Open the cases of the bad ratings among many (an import); returns how many opened.

    Ratings that already have a case are skipped, so calling it twice opens nothing twice.
    Due dates are worked out once per hall, for all the days at once.
    """
    bad = [rating for rating in ratings if not rating.is_good]
    if not bad:
        return 0
    taken = set(
        Complaint.objects.filter(rating__in=[r.pk for r in bad]).values_list("rating_id", flat=True)
    )
    pending = [rating for rating in bad if rating.pk not in taken]
    visits = {
        visit["pk"]: visit
        for visit in Visit.objects.filter(pk__in=[r.visit_id for r in pending]).values(
            *VISIT_FIELDS
        )
    }
    halls = Hall.objects.in_bulk({visit["hall_id"] for visit in visits.values()})
    rated_on = {rating.pk: local_day(rating) for rating in pending}
    days_by_hall: dict[int, set[date]] = defaultdict(set)
    for rating in pending:
        days_by_hall[visits[rating.visit_id]["hall_id"]].add(rated_on[rating.pk])
    due_dates = {
        hall_id: step_due_dates(
            hall=halls[hall_id],
            channel=Channel.BAD_REVIEW,
            step=Complaint.Status.RECEIVED,
            starts=days,
        )
        for hall_id, days in days_by_hall.items()
    }
    cases = []
    for rating in pending:
        visit = visits[rating.visit_id]
        due_date = due_dates[visit["hall_id"]][rated_on[rating.pk]]
        cases.append(_case_for(rating, visit=visit, due_date=due_date))
    created = bulk_create_with_history(
        cases, Complaint, default_change_reason=_("opened from a bad review")
    )
    for case in created:
        alerts.duty_alert_for(complaint=case)
    return len(cases)
