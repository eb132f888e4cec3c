"""Step deadlines on the hall's working-day calendar, rules per channel, and extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from complaints.history_notes import note_text
from complaints.models import Channel, Complaint, DeadlineExtension, DeadlineRule
from complaints.services import complaints as services
from complaints.services.complaints import ComplaintError, extension_decide, extension_request
from complaints.services.deadlines import (
    DEFAULT_RULES,
    is_overdue,
    step_due_date,
    step_due_dates,
)
from complaints.services.followups import followup_open
from evaluations.models import Rating
from tests.complaints.test_complaint_workflow import RECEIVED_AT, advance, received_case
from tests.windows.factories import (
    HallCalendarDayFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows import roles
from windows.models import HallCalendarDay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Status = Complaint.Status


@pytest.fixture
def handler(hall_a):
    return StaffFactory(hall=hall_a).user


def set_today(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "_today", lambda complaint: day)


# ---- step deadlines ----


@pytest.mark.parametrize(
    ("start", "step", "due"),
    [
        # National Day and Mid-Autumn 2020: 1-8 October off, Saturday 10 October worked.
        (dt.date(2020, 9, 30), Status.RECEIVED, dt.date(2020, 10, 9)),
        (dt.date(2020, 10, 1), Status.VERIFIED, dt.date(2020, 10, 9)),
        (dt.date(2020, 10, 9), Status.ASSIGNED, dt.date(2020, 10, 10)),
        (dt.date(2020, 9, 30), Status.IN_PROGRESS, dt.date(2020, 10, 12)),
        (dt.date(2020, 10, 10), Status.REPLIED, dt.date(2020, 10, 12)),
        # An ordinary Friday: the next business day is Monday.
        (dt.date(2020, 9, 18), Status.CALLBACK_DONE, dt.date(2020, 9, 21)),
    ],
)
def test_default_deadlines_skip_holidays_and_count_make_up_days(hall_a, start, step, due):
    assert step_due_date(hall=hall_a, channel=Channel.HOTLINE, step=step, start=start) == due


def test_a_hall_closure_is_skipped(hall_a):
    HallCalendarDayFactory(hall=hall_a, date=dt.date(2020, 10, 9))

    due = step_due_date(
        hall=hall_a, channel=Channel.ON_SITE, step=Status.RECEIVED, start=dt.date(2020, 9, 30)
    )

    assert due == dt.date(2020, 10, 10)


def test_an_extra_opening_day_counts(hall_a):
    HallCalendarDayFactory(
        hall=hall_a, date=dt.date(2020, 10, 3), kind=HallCalendarDay.Kind.EXTRA_OPENING
    )

    due = step_due_date(
        hall=hall_a, channel=Channel.ON_SITE, step=Status.RECEIVED, start=dt.date(2020, 9, 30)
    )

    assert due == dt.date(2020, 10, 3)


def test_another_halls_closure_does_not_count(hall_a, hall_b):
    HallCalendarDayFactory(hall=hall_b, date=dt.date(2020, 10, 9))

    due = step_due_date(
        hall=hall_a, channel=Channel.ON_SITE, step=Status.RECEIVED, start=dt.date(2020, 9, 30)
    )

    assert due == dt.date(2020, 10, 9)


def test_a_managers_rule_overrides_the_default_for_its_hall_and_channel(hall_a, hall_b):
    DeadlineRule.objects.create(
        hall=hall_a, channel=Channel.HOTLINE, step=Status.IN_PROGRESS, working_days=5
    )
    start = dt.date(2020, 9, 28)

    def due(hall, channel):
        return step_due_date(hall=hall, channel=channel, step=Status.IN_PROGRESS, start=start)

    assert due(hall_a, Channel.HOTLINE) == dt.date(2020, 10, 12)
    assert due(hall_a, Channel.ONLINE) == dt.date(2020, 10, 9)
    assert due(hall_b, Channel.HOTLINE) == dt.date(2020, 10, 9)


def test_a_rule_of_zero_days_is_due_the_same_day(hall_a):
    DeadlineRule.objects.create(
        hall=hall_a, channel=Channel.ONLINE, step=Status.RECEIVED, working_days=0
    )

    due = step_due_date(
        hall=hall_a, channel=Channel.ONLINE, step=Status.RECEIVED, start=dt.date(2020, 10, 3)
    )

    assert due == dt.date(2020, 10, 3)


def test_the_defaults_give_a_12345_order_13_working_days():
    assert sum(DEFAULT_RULES[Channel.WORK_ORDER_12345].values()) == 13
    assert DEFAULT_RULES[Channel.WORK_ORDER_12345][Status.IN_PROGRESS] == 8
    assert DEFAULT_RULES[Channel.ON_SITE] == {
        "received": 1,
        "verified": 1,
        "assigned": 1,
        "in_progress": 3,
        "replied": 1,
        "callback_done": 1,
    }
    assert set(DEFAULT_RULES) == set(Channel.values)


def bad_rating(hall) -> Rating:
    visit = VisitFactory(hall=hall, window=WindowFactory(hall=hall))
    return Rating.objects.create(
        visit=visit,
        level=1,
        rated_at=RECEIVED_AT,
        source=Rating.Source.IMPORT,
        reasons=["attitude"],
    )


def test_a_bad_reviews_first_step_follows_the_halls_rule(hall_a):
    hall_a.followup_due_working_days = 1
    hall_a.save()
    DeadlineRule.objects.create(
        hall=hall_a, channel=Channel.BAD_REVIEW, step=Status.RECEIVED, working_days=2
    )

    case = followup_open(rating=bad_rating(hall_a))

    assert case.due_date == dt.date(2020, 9, 30)
    entry = case.history.get()
    assert (entry.history_type, entry.history_change_reason) == (
        "+",
        '{"note":"opened_from_bad_review"}',
    )


def test_without_a_rule_a_bad_review_takes_the_halls_follow_up_days(hall_a, monkeypatch):
    from complaints.services import alerts

    alerted = []
    monkeypatch.setattr(alerts, "duty_alert_for", lambda *, complaint: alerted.append(complaint))
    hall_a.followup_due_working_days = 3
    hall_a.save()

    case = followup_open(rating=bad_rating(hall_a))

    assert case.due_date == dt.date(2020, 10, 9)
    assert alerted == [case]


@pytest.mark.parametrize(
    ("status", "due", "today", "overdue"),
    [
        (Status.RECEIVED, dt.date(2020, 9, 29), dt.date(2020, 9, 29), False),
        (Status.RECEIVED, dt.date(2020, 9, 29), dt.date(2020, 9, 30), True),
        (Status.CALLBACK_DONE, dt.date(2020, 9, 29), dt.date(2020, 10, 9), True),
        (Status.CLOSED, dt.date(2020, 9, 29), dt.date(2020, 10, 9), False),
    ],
)
def test_is_overdue(status, due, today, overdue):
    assert is_overdue(Complaint(status=status, due_date=due), today) is overdue


# ---- extensions ----


@pytest.fixture
def case_in_progress(hall_a, manager_a, handler, monkeypatch):
    set_today(monkeypatch, dt.date(2020, 9, 28))
    case = advance(
        received_case(hall_a, manager_a), Status.IN_PROGRESS, by=manager_a, handler=handler
    )
    assert case.due_date == dt.date(2020, 10, 9)
    return case


def test_an_extension_asked_on_the_last_day_and_approved_moves_the_deadline(
    case_in_progress, manager_a, handler, monkeypatch
):
    set_today(monkeypatch, dt.date(2020, 10, 9))

    extension = extension_request(
        complaint=case_in_progress, by=handler, working_days=2, reason="需要社保中心核实"
    )
    assert (extension.status, extension.step, extension.requested_by) == (
        "pending",
        "in_progress",
        handler,
    )
    assert Complaint.objects.get().due_date == dt.date(2020, 10, 9)

    decided = extension_decide(extension=extension, by=manager_a, approve=True)

    assert (decided.status, decided.decided_by) == ("approved", manager_a)
    assert decided.decided_at is not None
    case = Complaint.objects.get()
    # Two business days after Friday 9 October: the make-up Saturday and Monday.
    assert case.due_date == dt.date(2020, 10, 12)
    entry = case.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (
        manager_a,
        '{"note":"deadline_extended","days":2}',
    )
    with translation.override("en"):
        assert note_text(entry.history_change_reason) == "deadline extended by 2 working days"


def test_a_rejected_extension_leaves_the_deadline(case_in_progress, manager_a, handler):
    extension = extension_request(
        complaint=case_in_progress, by=handler, working_days=2, reason="材料未齐"
    )
    history = case_in_progress.history.count()

    decided = extension_decide(extension=extension, by=manager_a, approve=False)

    assert decided.status == "rejected"
    case = Complaint.objects.get()
    assert (case.due_date, case.history.count()) == (dt.date(2020, 10, 9), history)
    # Rejected, another one may be asked.
    again = extension_request(complaint=case, by=handler, working_days=1, reason="再次申请")
    assert again.status == "pending"


def test_an_extension_after_the_deadline_is_refused(
    english, case_in_progress, handler, monkeypatch
):
    set_today(monkeypatch, dt.date(2020, 10, 10))

    with pytest.raises(ComplaintError) as error:
        extension_request(complaint=case_in_progress, by=handler, working_days=2, reason="晚了")

    assert error.value.messages == [
        "The deadline of this step has passed; more time must be asked before it."
    ]
    assert DeadlineExtension.objects.count() == 0
    assert Complaint.objects.get().due_date == dt.date(2020, 10, 9)


def test_one_pending_extension_at_a_time(english, case_in_progress, handler, manager_a):
    extension_request(complaint=case_in_progress, by=handler, working_days=2, reason="一")

    with pytest.raises(ComplaintError) as error:
        extension_request(complaint=case_in_progress, by=manager_a, working_days=1, reason="二")

    assert error.value.messages == ["An extension of this case is already waiting for a decision."]
    assert DeadlineExtension.objects.count() == 1


@pytest.mark.parametrize(
    ("working_days", "reason", "message"),
    [
        (0, "原因", "Ask for 1 to 30 working days."),
        (31, "原因", "Ask for 1 to 30 working days."),
        ("2", "原因", "Ask for 1 to 30 working days."),
        (True, "原因", "Ask for 1 to 30 working days."),
        (2, "", "Say why more time is needed."),
        (2, "   ", "Say why more time is needed."),
    ],
)
def test_a_bad_extension_request_is_refused(
    english, case_in_progress, handler, working_days, reason, message
):
    with pytest.raises(ComplaintError) as error:
        extension_request(
            complaint=case_in_progress, by=handler, working_days=working_days, reason=reason
        )

    assert error.value.messages == [message]
    assert DeadlineExtension.objects.count() == 0


def test_a_closed_case_gets_no_extension(english, hall_a, manager_a, handler, monkeypatch):
    set_today(monkeypatch, dt.date(2020, 9, 28))
    case = advance(received_case(hall_a, manager_a), Status.CLOSED, by=manager_a, handler=handler)

    with pytest.raises(ComplaintError) as error:
        extension_request(complaint=case, by=manager_a, working_days=1, reason="x")

    assert error.value.messages == ["This case is closed; it cannot be given more time."]
    assert DeadlineExtension.objects.count() == 0


def test_only_the_halls_managers_decide_and_only_the_handler_or_managers_ask(
    english, hall_a, hall_b, case_in_progress, handler
):
    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    other_manager = make_manager(hall_b, "manager_b")
    for user in (supervisor, other_manager, StaffFactory(hall=hall_a).user):
        with pytest.raises(ComplaintError) as error:
            extension_request(complaint=case_in_progress, by=user, working_days=1, reason="x")
        assert error.value.messages == ["You may not do this with this case."]
    assert DeadlineExtension.objects.count() == 0
    extension = extension_request(
        complaint=case_in_progress, by=handler, working_days=1, reason="x"
    )

    for user in (supervisor, other_manager, handler):
        with pytest.raises(ComplaintError) as error:
            extension_decide(extension=extension, by=user, approve=True)
        assert error.value.messages == ["You may not do this with this case."]

    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == ("pending", None)
    assert Complaint.objects.get().due_date == dt.date(2020, 10, 9)


def test_an_extension_is_decided_once(english, case_in_progress, handler, manager_a):
    extension = extension_request(
        complaint=case_in_progress, by=handler, working_days=1, reason="x"
    )
    extension_decide(extension=extension, by=manager_a, approve=True)

    with pytest.raises(ComplaintError) as error:
        extension_decide(extension=extension, by=manager_a, approve=True)

    assert error.value.messages == ["This extension has already been decided."]
    assert Complaint.objects.get().due_date == dt.date(2020, 10, 10)


def test_an_extension_of_a_step_already_left_is_not_approved(
    english, case_in_progress, handler, manager_a
):
    extension = extension_request(
        complaint=case_in_progress, by=handler, working_days=3, reason="x"
    )
    services.complaint_reply(complaint=case_in_progress, by=handler, reply="已处理")
    due = Complaint.objects.get().due_date

    with pytest.raises(ComplaintError) as error:
        extension_decide(extension=extension, by=manager_a, approve=True)

    assert error.value.messages == [
        "The case has moved to another step since; this extension no longer applies."
    ]
    extension.refresh_from_db()
    assert extension.status == "pending"
    assert Complaint.objects.get().due_date == due


def test_due_dates_for_many_days_match_one_day_at_a_time(hall_a):
    """step_due_dates (an import's bad reviews) agrees with step_due_date day by day,
    across National Day 2020 (1 to 8 October off, Sunday 27 September and Saturday
    10 October worked) and a closure of the hall; a rule of 3 days reaches past the
    span of the given days."""
    HallCalendarDay.objects.create(
        hall=hall_a, date=dt.date(2020, 10, 12), kind=HallCalendarDay.Kind.CLOSURE
    )
    DeadlineRule.objects.create(
        hall=hall_a, channel=Channel.BAD_REVIEW, step=Complaint.Status.RECEIVED, working_days=3
    )
    starts = [dt.date(2020, 9, 25) + dt.timedelta(days=n) for n in range(18)]

    due = step_due_dates(
        hall=hall_a, channel=Channel.BAD_REVIEW, step=Complaint.Status.RECEIVED, starts=starts
    )

    one_by_one = {
        start: step_due_date(
            hall=hall_a, channel=Channel.BAD_REVIEW, step=Complaint.Status.RECEIVED, start=start
        )
        for start in starts
    }
    assert due == one_by_one
    assert due[dt.date(2020, 9, 30)] == dt.date(2020, 10, 13)  # 9, 10, (12 closed), 13
    assert due[dt.date(2020, 10, 12)] == dt.date(2020, 10, 15)


def test_due_dates_for_no_days(hall_a):
    assert step_due_dates(hall=hall_a, channel=Channel.ON_SITE, step="received", starts=[]) == {}
