"""Bad reviews (差评) open complaint cases (channel bad_review) at their first step.

The first step is due after the hall's deadline rule for it (complaints.services.deadlines;
without a rule, the hall's `followup_due_working_days`), and the hall's duty leader is
alerted (complaints.services.alerts).

The cases hold everything the complaints work needs to take them over (visit through the
rating, level, reasons, comment, callback phone, due date), copied at opening time.

History does not flood today: an import of past visits opens no case for a bad review
whose follow-up deadline had passed before the import's day (FollowupDeadlines). Such a
rating is stored with `historical_followup_skipped` and counts in every figure, but no
case, duty alert or reminder ever comes of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from complaints.history_notes import case_note
from complaints.models import Channel, Complaint
from complaints.services import alerts
from complaints.services.deadlines import step_due_date, step_due_dates
from evaluations.models import Rating
from windows.models import Hall, Visit
from windows.rules.hall_time import hall_localdate


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


def followup_open(*, rating: Rating) -> Complaint | None:
    """Open the follow-up case of a bad rating; None for a good one. Idempotent.

    A good rating returns before any transaction: it is most of the tablets' ratings,
    and a savepoint is two statements for nothing.
    """
    if rating.is_good:
        return None
    return _followup_case_open(rating=rating)


@transaction.atomic
def _followup_case_open(*, rating: Rating) -> Complaint:
    existing = Complaint.objects.filter(rating=rating).first()
    if existing is not None:
        return existing
    visit = Visit.objects.filter(pk=rating.visit_id).values(*VISIT_FIELDS).get()
    hall = Hall.objects.get(pk=visit["hall_id"])
    due_date = followup_due_date(hall=hall, rated_on=hall_localdate(hall, rating.rated_at))
    case = _case_for(rating, visit=visit, due_date=due_date)
    case._change_reason = case_note("opened_from_bad_review")
    case.save()
    alerts.duty_alert_for(complaint=case)
    return case


@transaction.atomic
def followups_open(*, ratings: list[Rating]) -> int:
    """Open the cases of the bad ratings among many (an import); returns how many opened.

    Ratings that already have a case are skipped, so calling it twice opens nothing twice;
    so are historical ones (`historical_followup_skipped`), which never get a case.
    Due dates are worked out once per hall, for all the days at once.
    """
    bad = [
        rating
        for rating in ratings
        if not rating.is_good and not rating.historical_followup_skipped
    ]
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
    hall_of = {rating.pk: halls[visits[rating.visit_id]["hall_id"]] for rating in pending}
    rated_on = {
        rating.pk: hall_localdate(hall_of[rating.pk], rating.rated_at) for rating in pending
    }
    days_by_hall: dict[int, set[date]] = defaultdict(set)
    for rating in pending:
        days_by_hall[hall_of[rating.pk].pk].add(rated_on[rating.pk])
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
        cases, Complaint, default_change_reason=case_note("opened_from_bad_review")
    )
    for case in created:
        alerts.duty_alert_for(complaint=case)
    return len(cases)


class FollowupDeadlines:
    """Which bad reviews of an import are past their follow-up deadline already.

    A bad review is historical when the due date the hall's deadline rule gives for its
    local day (`step_due_dates`, as its case would get) is before the hall's local today
    at `now` (the import's start): due today is still a live case. A rating of today or
    later is never historical, whatever the rule, so its days are not looked up.

    One instance serves a whole import: the due dates of a hall's days are worked out
    once, with one calendar query for all the days asked about together. Worked out
    before the rest of the file is stored, a due date can only be later than or equal
    to the one known at the end (a day with visits becomes a business day, never the
    other way), so a rating found historical here is historical by the final calendar
    too.
    """

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self._halls: dict[int, Hall] = {}
        self._today: dict[int, date] = {}
        self._due: dict[int, dict[date, date]] = defaultdict(dict)  # hall pk -> day -> due

    def passed(self, ratings: Sequence[tuple[int, datetime]]) -> list[bool]:
        """For each (hall pk, rated_at) of bad reviews: is its follow-up deadline past?"""
        self._load_halls({hall_id for hall_id, _rated_at in ratings})
        days = [hall_localdate(self._halls[hall_id], rated_at) for hall_id, rated_at in ratings]
        missing: dict[int, set[date]] = defaultdict(set)
        for (hall_id, _rated_at), day in zip(ratings, days, strict=True):
            if day < self._today[hall_id] and day not in self._due[hall_id]:
                missing[hall_id].add(day)
        for hall_id, starts in missing.items():
            self._due[hall_id] |= step_due_dates(
                hall=self._halls[hall_id],
                channel=Channel.BAD_REVIEW,
                step=Complaint.Status.RECEIVED,
                starts=starts,
            )
        return [
            day < self._today[hall_id] and self._due[hall_id][day] < self._today[hall_id]
            for (hall_id, _rated_at), day in zip(ratings, days, strict=True)
        ]

    def _load_halls(self, hall_ids: set[int]) -> None:
        new = hall_ids - self._halls.keys()
        if new:
            for hall in Hall.objects.filter(pk__in=new):
                self._halls[hall.pk] = hall
                self._today[hall.pk] = hall_localdate(hall, self.now)
