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

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

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
    Due dates are worked out once per hall, for all the days at once. The ratings must be
    stored: their cases and history rows are written in SQL, INSERT ... SELECT from the
    stored ratings and visits (`_case_columns`: the same fields as `_case_for`), numbered
    in the order of `ratings`; no model instance is built per case.
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
    if not pending:
        return 0
    hall_of_visit = dict(
        Visit.objects.filter(pk__in=[r.visit_id for r in pending]).values_list("pk", "hall_id")
    )
    halls = Hall.objects.in_bulk(set(hall_of_visit.values()))
    hall_of = {rating.pk: halls[hall_of_visit[rating.visit_id]] for rating in pending}
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
    now = timezone.now()
    case_ids = _insert_cases(
        [
            (rating.pk, due_dates[hall_of[rating.pk].pk][rated_on[rating.pk]].isoformat())
            for rating in pending
        ],
        now=now,
    )
    _insert_history(case_ids, note=case_note("opened_from_bad_review"), now=now)
    if any(rating.rated_at >= now - alerts.FRESH_FOR for rating in pending):
        fresh = Complaint.objects.filter(pk__in=case_ids, received_at__gte=now - alerts.FRESH_FOR)
        for case in fresh.order_by("pk"):
            alerts.duty_alert_for(complaint=case)
    return len(case_ids)


def _case_columns(now: datetime) -> list[tuple[str, str, list]]:
    """(column, SQL expression, parameters) of every column of a bad review's case, as
    `_case_for` fills it: from the rating, its visit and its due date; the model's
    defaults for the rest (Django keeps them in Python, not in the table)."""
    from_rating = {
        "received_at": "rating.rated_at",
        "rating": "rating.id",
        "level": "rating.level",
        "reasons": "rating.reasons",
        "comment": "rating.comment",
        "callback_phone": "rating.callback_phone",
        "hall": "visit.hall_id",
        "window": "visit.window_id",
        "staff": "visit.staff_id",
        "due_date": "due.due_date",
    }
    values = {"channel": Channel.BAD_REVIEW.value, "created_at": now}
    columns = []
    for model_field in Complaint._meta.concrete_fields:
        if model_field.primary_key:
            continue
        if model_field.name in from_rating:
            columns.append((model_field.column, from_rating[model_field.name], []))
            continue
        value = values.get(model_field.name, model_field.get_default())
        columns.append(
            (model_field.column, "%s", [model_field.get_db_prep_save(value, connection)])
        )
    return columns


def _insert_cases(due: list[tuple[int, str]], *, now: datetime) -> list[int]:
    """Insert the cases of (rating pk, due date) in this order; their pks, ascending."""
    quote = connection.ops.quote_name
    columns = _case_columns(now)
    if connection.vendor == "postgresql":
        source = (
            "unnest(%s::bigint[], %s::date[]) WITH ORDINALITY AS due (rating_id, due_date, entry)"
        )
        source_params = [[pk for pk, _ in due], [day for _, day in due]]
    else:
        source = (
            "(SELECT json_extract(value, '$[0]') AS rating_id, "
            "json_extract(value, '$[1]') AS due_date, key AS entry FROM json_each(%s)) AS due"
        )
        source_params = [json.dumps(due)]
    sql = (
        f"INSERT INTO {quote(Complaint._meta.db_table)} "
        f"({', '.join(quote(column) for column, _, _ in columns)}) "
        f"SELECT {', '.join(expression for _, expression, _ in columns)} FROM {source} "
        f"JOIN {quote(Rating._meta.db_table)} AS rating ON rating.id = due.rating_id "
        f"JOIN {quote(Visit._meta.db_table)} AS visit ON visit.id = rating.visit_id "
        f"ORDER BY due.entry RETURNING {quote('id')}"
    )
    params = [param for _, _, params in columns for param in params] + source_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(pk for (pk,) in cursor.fetchall())


def _insert_history(case_ids: list[int], *, note: str, now: datetime) -> None:
    """The cases' first history rows ('+', the note, the request's user if any), as
    bulk_create_with_history writes them."""
    if not case_ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    quote = connection.ops.quote_name
    historical = Complaint.history.model
    user = historical.get_default_history_user(Complaint())
    tracked = [quote(model_field.column) for model_field in historical.tracked_fields]
    if connection.vendor == "postgresql":
        chosen, chosen_params = "= ANY(%s)", [case_ids]
    else:
        chosen, chosen_params = "IN (SELECT value FROM json_each(%s))", [json.dumps(case_ids)]
    history_columns = ("history_date", "history_change_reason", "history_type", "history_user_id")
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} "
        f"({', '.join(tracked + [quote(column) for column in history_columns])}) "
        f"SELECT {', '.join(tracked)}, %s, %s, %s, %s "
        f"FROM {quote(Complaint._meta.db_table)} WHERE {quote('id')} {chosen} "
        f"ORDER BY {quote('id')}"
    )
    history_date = historical._meta.get_field("history_date").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [history_date, note, "+", user.pk if user is not None else None, *chosen_params]
        )


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
