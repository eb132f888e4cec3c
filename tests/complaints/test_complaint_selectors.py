"""The complaint selectors: who sees which cases, handlers, the timeline, dashboard figures."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from complaints.models import Channel, Complaint
from complaints.selectors import (
    ChannelCount,
    assignable_handlers,
    complaint_dashboard,
    complaint_timeline,
    complaints_for_user,
)
from complaints.services.complaints import complaint_receive, complaint_verify
from rectification.models import Measure, RectificationChecklist
from rectification.selectors import measure_completion
from tests.windows.factories import StaffFactory, make_manager
from windows import roles

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 20)

pytestmark = pytest.mark.usefixtures("english")


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SHANGHAI)


def case(hall, *, received: str, due: str, status="received", channel=Channel.ON_SITE, **extra):
    if channel == Channel.WORK_ORDER_12345:
        extra.setdefault("work_order_no", "WO")
    return Complaint.objects.create(
        hall=hall,
        channel=channel,
        received_at=at(received) if "T" not in received else dt.datetime.fromisoformat(received),
        due_date=dt.date.fromisoformat(due),
        status=status,
        **extra,
    )


def measures(hall, *statuses):
    checklist = RectificationChecklist.objects.create(
        hall=hall,
        title="满意度提升13项工作措施",
        source=RectificationChecklist.Source.THIRD_PARTY,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    for number, status in enumerate(statuses, 1):
        Measure.objects.create(
            checklist=checklist,
            order=number,
            title=f"措施{number}",
            deadline=dt.date(2026, 12, 1),
            status=status,
        )


@pytest.fixture
def book(hall_a, hall_b):
    """Hall A on 20 Nov 2026: four open cases (one overdue), two closed; B's rows never count."""
    cases = {
        "late": case(hall_a, received="2026-11-18", due="2026-11-19"),
        "reopened": case(
            hall_a,
            received="2026-11-03",
            due="2026-11-20",
            status="in_progress",
            channel=Channel.WORK_ORDER_12345,
            callback_result="not_satisfied",
            reopen_count=1,
        ),
        "replied": case(
            hall_a,
            received="2026-10-30",
            due="2026-11-25",
            status="replied",
            channel=Channel.HOTLINE,
            handler=make_manager(hall_a, "handler_a"),
        ),
        "called": case(
            hall_a,
            received="2026-10-31T16:30:00+00:00",
            due="2026-11-23",
            status="callback_done",
            channel=Channel.ONLINE,
            callback_result="satisfied",
        ),
        "closed": case(
            hall_a,
            received="2026-10-20",
            due="2026-11-06",
            status="closed",
            channel=Channel.BAD_REVIEW,
            callback_result="satisfied",
            verdict="substantiated",
            closed_at=at("2026-11-05"),
        ),
        "closed_before": case(
            hall_a,
            received="2026-10-10",
            due="2026-10-15",
            status="closed",
            callback_result="unreachable",
            verdict="unsubstantiated",
            closed_at=at("2026-10-31", "23:30"),
        ),
    }
    case(hall_b, received="2026-11-10", due="2026-11-11")
    case(
        hall_b,
        received="2026-11-10",
        due="2026-11-11",
        status="closed",
        callback_result="satisfied",
        verdict="substantiated",
        closed_at=at("2026-11-12"),
    )
    measures(hall_a, "done", "verified", "not_started")
    measures(hall_b, "not_started", "in_progress")
    return cases


def test_dashboard_figures(hall_a, book):
    figures = complaint_dashboard(hall=hall_a, today=TODAY)
    assert figures.open_cases == 4
    assert figures.unassigned_cases == 3
    assert figures.overdue_cases == 1
    assert figures.closed_this_month == 1
    assert figures.received_this_month == 3
    assert figures.by_channel == (
        ChannelCount("on_site", "on site", 1),
        ChannelCount("hotline", "supervision hotline", 0),
        ChannelCount("work_order_12345", "12345 work order", 1),
        ChannelCount("online", "online", 1),
        ChannelCount("bad_review", "bad review", 0),
    )
    assert (figures.called_back, figures.reached_callback) == (4, 5)
    assert figures.callback_rate_pct == 80.0
    assert figures.satisfied_at_callback == 2
    assert figures.satisfied_rate_pct == 50.0
    completion = measure_completion(hall=hall_a)  # the tile rectification adds beside them
    assert (completion.completed, completion.total) == (2, 3)
    assert completion.rate_pct == 66.67
    assert list(figures.overdue_list) == [book["late"]]


def test_dashboard_months_are_the_halls_own_local_days(hall_a):
    """A case received on 1 October in Shanghai but 30 September in New York is a case of
    September in a New York hall (its day bounds, not the installation's zone)."""
    hall_a.time_zone = ZoneInfo("America/New_York")
    hall_a.save()
    late_evening = dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC)  # 23:00 in New York
    case(
        hall_a,
        received=late_evening.isoformat(),
        due="2026-10-10",
        status="closed",
        callback_result="satisfied",
        verdict="substantiated",
        closed_at=late_evening,
    )

    september = complaint_dashboard(hall=hall_a, today=dt.date(2026, 9, 30))
    october = complaint_dashboard(hall=hall_a, today=dt.date(2026, 10, 31))

    assert (september.received_this_month, september.closed_this_month) == (1, 1)
    assert (october.received_this_month, october.closed_this_month) == (0, 0)


def test_dashboard_of_an_empty_hall_has_no_rates(hall_a):
    figures = complaint_dashboard(hall=hall_a, today=TODAY)
    assert (figures.open_cases, figures.overdue_cases, figures.received_this_month) == (0, 0, 0)
    assert figures.unassigned_cases == 0
    assert figures.callback_rate_pct is None
    assert figures.satisfied_rate_pct is None
    assert measure_completion(hall=hall_a).rate_pct is None


def test_dashboard_of_hall_b_counts_only_its_rows(hall_b, book):
    figures = complaint_dashboard(hall=hall_b, today=TODAY)
    assert (figures.open_cases, figures.overdue_cases, figures.closed_this_month) == (1, 1, 1)
    assert figures.unassigned_cases == 1
    assert measure_completion(hall=hall_b).rate_pct == 0.0


def test_cases_for_each_role(hall_a, hall_b, manager_a, book):
    supervisor = make_manager(hall_a, "sup", role=roles.SUPERVISOR)
    staff = StaffFactory(hall=hall_a)
    Complaint.objects.filter(pk=book["late"].pk).update(handler=staff.user)
    hall_a_cases = set(Complaint.objects.filter(hall=hall_a))
    assert set(complaints_for_user(manager_a)) == hall_a_cases
    assert set(complaints_for_user(supervisor)) == hall_a_cases
    assert list(complaints_for_user(staff.user)) == [book["late"]]
    assert list(complaints_for_user(StaffFactory(hall=hall_a).user)) == []


def test_assignable_handlers_are_the_halls_managers_and_active_staff(hall_a, manager_a, manager_b):
    make_manager(hall_a, "sup", role=roles.SUPERVISOR)
    on_duty = StaffFactory(hall=hall_a)
    StaffFactory(hall=hall_a, is_active=False)
    StaffFactory(hall=manager_b.hall_accesses.get().hall)
    assert list(assignable_handlers(hall_a)) == sorted(
        [manager_a, on_duty.user], key=lambda u: u.username
    )


def test_timeline_lists_each_change_with_who_and_why(hall_a, manager_a):
    complaint = complaint_receive(
        hall=hall_a, channel=Channel.HOTLINE, received_at=timezone.now(), by=manager_a
    )
    complaint_verify(complaint=complaint, by=manager_a, note="属实")
    entries = complaint_timeline(complaint)
    assert [(e.user, e.from_status, e.to_status, e.reason, e.created) for e in entries] == [
        (manager_a, "", "received", "received", True),
        (manager_a, "received", "verified", "verified", False),
    ]
    assert [e.to_label for e in entries] == ["received", "verified"]


def test_timeline_of_a_bulk_created_case_is_empty(hall_a):
    complaint = Complaint.objects.bulk_create(
        [Complaint(hall=hall_a, received_at=at("2026-11-01"), due_date=TODAY)]
    )[0]
    assert complaint_timeline(complaint) == []


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    # 1 of 160 is 0.625%: half up gives 0.63 where round() would give 0.62.
    [(1, 3, 33.33), (2, 3, 66.67), (1, 160, 0.63), (1, 1, 100.0)],
)
def test_dashboard_rates_are_rounded_half_up_to_two_decimals(hall_a, part, whole, shown):
    measures(hall_a, *(["done"] * part + ["not_started"] * (whole - part)))
    rate = measure_completion(hall=hall_a).rate_pct
    assert rate == shown
    assert isinstance(rate, float)
