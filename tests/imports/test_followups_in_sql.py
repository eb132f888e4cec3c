"""complaints.services.followups.followups_open writes the cases of an import's bad reviews
in SQL (INSERT ... SELECT): every field, due date, history row and number as the cases
the ORM path built (Complaint objects through bulk_create_with_history) had."""

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from complaints.history_notes import case_note
from complaints.models import Complaint, DutyAlert
from complaints.services.followups import _case_for, followup_due_date, followups_open
from evaluations.models import Rating
from tests.evaluations.tablet_factories import SHANGHAI
from tests.windows.factories import StaffFactory, VisitFactory, WindowFactory
from windows.models import Hall, Visit
from windows.rules.hall_time import hall_localdate

pytestmark = pytest.mark.django_db

AT = dt.datetime(2020, 9, 30, 15, 0, tzinfo=SHANGHAI)  # before National Day 2020
HISTORY_FIELDS = ("history_id", "history_date", "id", "rating", "created_at")


def imported_rating(hall, *, level: int, at: dt.datetime, **fields) -> Rating:
    window = WindowFactory(hall=hall)
    visit = VisitFactory(hall=hall, window=window, staff=StaffFactory(hall=hall))
    return Rating.objects.create(
        visit=visit, level=level, rated_at=at, source=Rating.Source.IMPORT, **fields
    )


def opened_the_orm_way(ratings: list[Rating]) -> None:
    """What followups_open did before it wrote SQL."""
    cases = []
    for rating in ratings:
        visit = Visit.objects.filter(pk=rating.visit_id).values(
            "pk", "hall_id", "window_id", "staff_id"
        )[0]
        hall = Hall.objects.get(pk=visit["hall_id"])
        due = followup_due_date(hall=hall, rated_on=hall_localdate(hall, rating.rated_at))
        cases.append(_case_for(rating, visit=visit, due_date=due))
    bulk_create_with_history(
        cases, Complaint, default_change_reason=case_note("opened_from_bad_review")
    )


def snapshot() -> list[tuple[dict, list[dict]]]:
    """Each case (by number) with its history rows, but for pks and times of writing."""
    result = []
    for case in Complaint.objects.order_by("pk"):
        values = model_to_dict(case)
        del values["id"]
        history = [
            {k: v for k, v in model_to_dict(row).items() if k not in HISTORY_FIELDS}
            | {"history_type": row.history_type, "user": row.history_user_id}
            for row in case.history.all()
        ]
        result.append((values, history))
    return result


def test_the_sql_cases_are_the_orm_cases_field_by_field(hall_a, hall_b):
    hall_b.followup_due_working_days = 2
    hall_b.save()
    ratings = [
        imported_rating(
            hall_a, level=1, at=AT, reasons=["attitude"], comment="慢", callback_phone="139"
        ),
        imported_rating(hall_a, level=2, at=AT),
        imported_rating(hall_b, level=1, at=AT + dt.timedelta(minutes=5)),
    ]
    order = [ratings[2], ratings[0], ratings[1]]  # the cases are numbered in this order
    before = timezone.now()

    assert followups_open(ratings=order) == 3

    sql_cases = snapshot()
    numbered = list(Complaint.objects.order_by("pk").values_list("rating_id", flat=True))
    stamps = list(Complaint.objects.values_list("created_at", flat=True))
    history_dates = list(Complaint.history.model.objects.values_list("history_date", flat=True))
    Complaint.history.model.objects.all().delete()
    Complaint.objects.all().delete()
    Complaint.history.model.objects.all().delete()  # the deletions' rows
    opened_the_orm_way(order)
    assert snapshot() == sql_cases
    assert numbered == [ratings[2].pk, ratings[0].pk, ratings[1].pk]
    assert [case[0]["due_date"] for case in sql_cases] == [
        dt.date(2020, 10, 10),
        dt.date(2020, 10, 9),
        dt.date(2020, 10, 9),
    ]
    assert sql_cases[1][0] | {"rating": None} == {
        "hall": hall_a.pk,
        "channel": "bad_review",
        "work_order_no": "",
        "received_at": AT,
        "rating": None,
        "level": 1,
        "reasons": ["attitude"],
        "complainant_name": "",
        "callback_phone": "139",
        "window": ratings[0].visit.window_id,
        "staff": ratings[0].visit.staff_id,
        "service_item": None,
        "category": "",
        "comment": "慢",
        "attachment": "",
        "status": "received",
        "due_date": dt.date(2020, 10, 9),
        "handler": None,
        "verification_note": "",
        "reply": "",
        "replied_at": None,
        "callback_result": "",
        "callback_note": "",
        "callback_at": None,
        "reopen_count": 0,
        "escalated": False,
        "verdict": "",
        "closing_note": "",
        "closed_at": None,
        "personal_data_erased_at": None,
    }
    history = sql_cases[1][1]
    assert [(h["history_change_reason"], h["history_type"], h["user"]) for h in history] == [
        ('{"note":"opened_from_bad_review"}', "+", None)
    ]
    assert (history[0]["comment"], history[0]["due_date"]) == ("慢", dt.date(2020, 10, 9))
    assert len(set(stamps)) == 1 and before <= stamps[0] <= timezone.now()
    assert history_dates == stamps


def test_a_second_call_historical_and_good_ratings_open_nothing(hall_a):
    bad = imported_rating(hall_a, level=1, at=AT)
    good = imported_rating(hall_a, level=5, at=AT)
    historical = imported_rating(hall_a, level=2, at=AT, historical_followup_skipped=True)

    assert followups_open(ratings=[bad, good, historical]) == 1
    assert followups_open(ratings=[bad, good, historical]) == 0
    assert list(Complaint.objects.values_list("rating_id", flat=True)) == [bad.pk]
    assert Complaint.history.model.objects.count() == 1


def test_a_fresh_bad_review_alerts_the_duty_leader_an_old_one_does_not(hall_a):
    fresh = imported_rating(hall_a, level=1, at=timezone.now() - dt.timedelta(hours=1))
    old = imported_rating(hall_a, level=1, at=timezone.now() - dt.timedelta(hours=25))

    assert followups_open(ratings=[old, fresh]) == 2
    assert list(DutyAlert.objects.values_list("complaint__rating_id", flat=True)) == [fresh.pk]
