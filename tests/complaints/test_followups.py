"""Bad reviews open follow-up cases, due after the hall's number of working days."""

import datetime as dt

import pytest

from complaints.models import Complaint
from complaints.services.followups import (
    FollowupDeadlines,
    followup_due_date,
    followup_open,
    followups_open,
)
from evaluations.models import Rating
from evaluations.services.ratings import rating_submit
from tests.evaluations.tablet_factories import SHANGHAI
from tests.windows.factories import HallCalendarDayFactory, VisitFactory, WindowFactory
from windows.models import HallCalendarDay

pytestmark = pytest.mark.django_db


def rated(hall, *, level: int, at: dt.datetime, reasons=("attitude",)) -> Rating:
    visit = VisitFactory(hall=hall, window=WindowFactory(hall=hall))
    return rating_submit(
        visit=visit,
        level=level,
        source=Rating.Source.TABLET,
        rated_at=at,
        reasons=reasons if level < Rating.GOOD_FROM else (),
    )


@pytest.mark.parametrize(
    ("working_days", "due"),
    [
        (0, dt.date(2020, 9, 30)),
        # National Day and Mid-Autumn 2020: 1-8 October off, Saturday 10 October worked.
        (1, dt.date(2020, 10, 9)),
        (2, dt.date(2020, 10, 10)),
        (3, dt.date(2020, 10, 12)),
    ],
)
def test_the_due_date_skips_statutory_holidays(hall_a, working_days, due):
    hall_a.followup_due_working_days = working_days
    hall_a.save()

    rating = rated(hall_a, level=2, at=dt.datetime(2020, 9, 30, 10, 0, tzinfo=SHANGHAI))

    assert Complaint.objects.get(rating=rating).due_date == due


def test_the_due_date_skips_the_halls_own_closures(hall_a):
    HallCalendarDayFactory(
        hall=hall_a, date=dt.date(2020, 9, 29), kind=HallCalendarDay.Kind.CLOSURE
    )

    assert followup_due_date(hall=hall_a, rated_on=dt.date(2020, 9, 28)) == dt.date(2020, 9, 30)


def test_the_due_date_counts_from_the_halls_local_day(hall_a):
    # 16:30 UTC on Sunday 27 September (a make-up working day) is Monday 00:30 in the hall.
    rating = rated(hall_a, level=1, at=dt.datetime(2020, 9, 27, 16, 30, tzinfo=dt.UTC))

    assert Complaint.objects.get(rating=rating).due_date == dt.date(2020, 9, 29)


def test_the_due_date_searches_past_a_long_closure(hall_a):
    for offset in range(1, 40):
        HallCalendarDayFactory(
            hall=hall_a,
            date=dt.date(2020, 9, 28) + dt.timedelta(days=offset),
            kind=HallCalendarDay.Kind.CLOSURE,
        )

    assert followup_due_date(hall=hall_a, rated_on=dt.date(2020, 9, 28)) == dt.date(2020, 11, 9)


def test_a_good_rating_opens_no_case(hall_a):
    rating = rated(hall_a, level=3, at=dt.datetime(2020, 9, 28, 10, 0, tzinfo=SHANGHAI))

    assert followup_open(rating=rating) is None
    assert Complaint.objects.count() == 0


def test_opening_a_case_twice_opens_one(hall_a):
    rating = rated(hall_a, level=1, at=dt.datetime(2020, 9, 28, 10, 0, tzinfo=SHANGHAI))

    again = followup_open(rating=rating)

    assert list(Complaint.objects.all()) == [again]


def test_imported_ratings_open_their_cases_in_bulk(hall_a, hall_b):
    at = dt.datetime(2020, 9, 30, 15, 0, tzinfo=SHANGHAI)
    hall_b.followup_due_working_days = 2
    hall_b.save()
    ratings = [
        Rating.objects.create(
            visit=VisitFactory(hall=hall, window=WindowFactory(hall=hall)),
            level=level,
            rated_at=at,
            source=Rating.Source.IMPORT,
        )
        for hall, level in [(hall_a, 5), (hall_a, 2), (hall_a, 1), (hall_b, 1), (hall_b, 4)]
    ]

    opened = followups_open(ratings=ratings)
    again = followups_open(ratings=ratings)

    assert (opened, again) == (3, 0)
    cases = Complaint.objects.order_by("rating_id")
    assert [(c.rating, c.hall, c.level, c.due_date) for c in cases] == [
        (ratings[1], hall_a, 2, dt.date(2020, 10, 9)),
        (ratings[2], hall_a, 1, dt.date(2020, 10, 9)),
        (ratings[3], hall_b, 1, dt.date(2020, 10, 10)),
    ]


def test_bulk_opening_without_bad_ratings_opens_nothing(hall_a):
    rating = Rating.objects.create(
        visit=VisitFactory(hall=hall_a, window=WindowFactory(hall=hall_a)),
        level=4,
        rated_at=dt.datetime(2020, 9, 30, 15, 0, tzinfo=SHANGHAI),
        source=Rating.Source.IMPORT,
    )

    assert followups_open(ratings=[rating]) == 0
    assert followups_open(ratings=[]) == 0
    assert Complaint.objects.count() == 0


# --- FollowupDeadlines: which bad reviews of an import are history already ---------------

NOW = dt.datetime(2024, 3, 5, 9, 0, tzinfo=SHANGHAI)  # Tuesday


@pytest.mark.parametrize(
    ("working_days", "rated_at", "passed"),
    [
        (1, dt.datetime(2024, 3, 4, 18, 0, tzinfo=SHANGHAI), False),  # due today
        (0, dt.datetime(2024, 3, 4, 18, 0, tzinfo=SHANGHAI), True),  # due yesterday
        (1, dt.datetime(2024, 3, 1, 18, 0, tzinfo=SHANGHAI), True),  # Friday: due Monday
        (2, dt.datetime(2024, 3, 1, 18, 0, tzinfo=SHANGHAI), False),  # Friday: due today
        (0, dt.datetime(2024, 3, 5, 8, 0, tzinfo=SHANGHAI), False),  # today
        (0, dt.datetime(2024, 3, 6, 8, 0, tzinfo=SHANGHAI), False),  # tomorrow (a clock off)
        # 16:30 UTC on Monday is Tuesday 00:30 in the hall: rated today.
        (0, dt.datetime(2024, 3, 4, 16, 30, tzinfo=dt.UTC), False),
        (1, dt.datetime(2022, 1, 4, 9, 0, tzinfo=SHANGHAI), True),
    ],
)
def test_a_deadline_has_passed_when_the_due_date_is_before_the_halls_today(
    hall_a, working_days, rated_at, passed
):
    hall_a.followup_due_working_days = working_days
    hall_a.save()

    assert FollowupDeadlines(now=NOW).passed([(hall_a.pk, rated_at)]) == [passed]


def test_deadlines_follow_each_halls_rule_and_closures(hall_a, hall_b):
    hall_b.followup_due_working_days = 2
    hall_b.save()
    HallCalendarDayFactory(hall=hall_a, date=dt.date(2024, 3, 4), kind=HallCalendarDay.Kind.CLOSURE)
    friday = dt.datetime(2024, 3, 1, 18, 0, tzinfo=SHANGHAI)
    deadlines = FollowupDeadlines(now=NOW)

    # Friday's: hall A is closed on Monday, so due Tuesday (today); hall B, 2 working
    # days: due Tuesday too.
    assert deadlines.passed([(hall_a.pk, friday), (hall_b.pk, friday)]) == [False, False]
    # Thursday's: due Friday in hall A and Monday in hall B, both before today.
    thursday = friday - dt.timedelta(days=1)
    assert deadlines.passed([(hall_a.pk, thursday), (hall_b.pk, thursday)]) == [True, True]


def test_the_halls_own_time_zone_gives_the_day_and_today(hall_a):
    hall_a.time_zone = "Asia/Urumqi"  # UTC+6
    hall_a.followup_due_working_days = 0
    hall_a.save()
    now = dt.datetime(2024, 3, 5, 1, 30, tzinfo=dt.UTC)  # Tuesday 07:30 in Urumqi
    # Monday 23:30 in Urumqi (Tuesday 01:30 in Shanghai): due Monday, passed.
    monday_late = dt.datetime(2024, 3, 4, 17, 30, tzinfo=dt.UTC)

    assert FollowupDeadlines(now=now).passed([(hall_a.pk, monday_late)]) == [True]


def test_historical_ratings_never_get_a_case(hall_a):
    ratings = [
        Rating.objects.create(
            visit=VisitFactory(hall=hall_a, window=WindowFactory(hall=hall_a)),
            level=1,
            rated_at=dt.datetime(2022, 1, 4, 9, 0, tzinfo=SHANGHAI),
            source=Rating.Source.IMPORT,
            historical_followup_skipped=historical,
        )
        for historical in (True, False)
    ]

    assert followups_open(ratings=ratings) == 1
    assert list(Complaint.objects.values_list("rating", flat=True)) == [ratings[1].pk]
