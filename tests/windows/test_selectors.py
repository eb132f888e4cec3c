from datetime import UTC, date, datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser

from tests.windows.factories import (
    DepartmentFactory,
    DutyAssignmentFactory,
    HallCalendarDayFactory,
    HallFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
)
from windows.models import DutyAssignment, HallCalendarDay
from windows.rules.hall_time import week_of
from windows.selectors import (
    badge_initials,
    login_lockout_ends_at,
    staff_home,
    visible_halls,
)

# 2020-10-01..08 are state holidays; Sunday 2020-09-27 and Saturday 2020-10-10 are
# make-up working days.
MONDAY = date(2020, 9, 28)


@pytest.fixture
def staff(hall_a):
    department = DepartmentFactory(hall=hall_a, name="社保管理中心")
    return StaffFactory(hall=hall_a, department=department, badge_no="A027", display_name="王小明")


def test_staff_home_lists_the_seven_days_of_the_week_from_monday(staff):
    # given a staff member and a day in the middle of the week
    # when
    page = staff_home(user=staff.user, today=date(2020, 9, 30))
    # then
    assert [day.date for day in page.week] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert [day.is_today for day in page.week] == [False, False, True, False, False, False, False]
    assert page.today == date(2020, 9, 30)
    assert page.staff == staff


def test_staff_home_marks_state_holidays_and_hall_days(staff, hall_a):
    # given a closure on Tuesday and an extra opening on the national-day Saturday
    HallCalendarDayFactory(hall=hall_a, date=date(2020, 9, 29), kind=HallCalendarDay.Kind.CLOSURE)
    HallCalendarDayFactory(
        hall=hall_a, date=date(2020, 10, 3), kind=HallCalendarDay.Kind.EXTRA_OPENING
    )
    # when
    page = staff_home(user=staff.user, today=MONDAY)
    # then Mon, Wed and the extra Saturday are open; the holidays and the closure are not
    assert [day.is_business_day for day in page.week] == [
        True,  # 09-28
        False,  # 09-29 hall closure
        True,  # 09-30
        False,  # 10-01 national day
        False,  # 10-02
        True,  # 10-03 extra opening
        False,  # 10-04
    ]
    assert page.today_is_business_day is True


def test_staff_home_counts_a_make_up_saturday_as_open(staff):
    # given the week of the make-up Saturday 2020-10-10
    # when
    page = staff_home(user=staff.user, today=date(2020, 10, 10))
    # then
    assert [day.date for day in page.week if day.is_business_day] == [
        date(2020, 10, 9),
        date(2020, 10, 10),
    ]
    assert page.today_is_business_day is True


def test_staff_home_shows_todays_duty_and_the_week_in_shift_order(staff, hall_a):
    # given duties on two days of the week, and one in the week before and after
    window_5 = WindowFactory(hall=hall_a, number=5, name="社保通办5号窗口")
    window_9 = WindowFactory(hall=hall_a, number=9, name="社保通办9号窗口")
    afternoon = DutyAssignmentFactory(
        hall=hall_a,
        staff=staff,
        window=window_9,
        date=date(2020, 9, 29),
        shift=DutyAssignment.Shift.AFTERNOON,
    )
    morning = DutyAssignmentFactory(
        hall=hall_a,
        staff=staff,
        window=window_5,
        date=date(2020, 9, 29),
        shift=DutyAssignment.Shift.MORNING,
    )
    guide = DutyAssignmentFactory(
        hall=hall_a,
        staff=staff,
        window=None,
        role=DutyAssignment.Role.GUIDE,
        date=date(2020, 9, 30),
    )
    DutyAssignmentFactory(hall=hall_a, staff=staff, window=window_5, date=date(2020, 9, 27))
    DutyAssignmentFactory(hall=hall_a, staff=staff, window=window_5, date=date(2020, 10, 5))
    # when
    page = staff_home(user=staff.user, today=date(2020, 9, 29))
    # then
    assert page.today_assignments == (morning, afternoon)
    assert [day.assignments for day in page.week] == [
        (),
        (morning, afternoon),
        (guide,),
        (),
        (),
        (),
        (),
    ]


def test_staff_home_never_includes_another_staff_members_roster(staff, hall_a):
    # given a colleague on duty today
    colleague = StaffFactory(hall=hall_a)
    DutyAssignmentFactory(hall=hall_a, staff=colleague, date=MONDAY)
    # when
    page = staff_home(user=staff.user, today=MONDAY)
    # then
    assert page.today_assignments == ()
    assert all(day.assignments == () for day in page.week)


def test_staff_home_is_none_for_a_user_without_a_staff_profile(manager_a):
    assert staff_home(user=manager_a, today=MONDAY) is None
    assert staff_home(user=AnonymousUser(), today=MONDAY) is None


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("王小明", "小明"),
        ("欧阳 娜娜", "娜娜"),
        ("李", "李"),
        ("Li Wei", "LW"),
        ("anna", "A"),
        ("Mary Ann Smith", "MS"),
        ("  ", "?"),
    ],
)
def test_badge_initials(name, initials):
    assert badge_initials(name) == initials


@pytest.mark.parametrize(
    "day", [date(2020, 9, 28), date(2020, 9, 30), date(2020, 10, 4)], ids=["mon", "wed", "sun"]
)
def test_week_of_is_monday_to_sunday(day):
    assert week_of(day) == (date(2020, 9, 28), date(2020, 10, 4))


def test_visible_halls_are_the_granted_ones(manager_a, hall_b):
    # given a manager of hall A, a superuser, and a user without any grant
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    nobody = UserFactory(username="nobody")
    inactive = HallFactory(code="HZ", is_active=False)
    # then
    assert [hall.code for hall in visible_halls(user=manager_a)] == ["HA"]
    assert [hall.code for hall in visible_halls(user=superuser)] == ["HA", "HB", inactive.code]
    assert visible_halls(user=nobody) == []


def test_login_lockout_ends_a_cool_off_after_the_latest_failure(db, settings):
    # given two recorded failures of one username
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    latest = datetime(2020, 9, 28, 2, 0, tzinfo=UTC)
    for when, agent in ((latest - timedelta(minutes=3), "a"), (latest, "b")):
        attempt = AccessAttempt.objects.create(
            username="wang",
            ip_address="10.0.0.1",
            user_agent=agent,
            failures_since_start=3,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)
    # then
    assert login_lockout_ends_at(username="wang") == latest + timedelta(minutes=15)
    assert login_lockout_ends_at(username="li") is None
