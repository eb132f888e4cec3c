"""The daily reminders: one email per person per day, cases and measures due or overdue."""

import datetime as dt

import pytest

from evaluations.models import Channel, Complaint, Measure, RectificationChecklist, ReminderSent
from evaluations.services import reminders
from evaluations.services.reminders import due_soon_cutoff, reminders_send
from evaluations.tasks import send_daily_reminders
from tests.windows.factories import SHANGHAI, HallCalendarDayFactory, UserFactory

# 2020-09-30 is a Wednesday before the National Day holiday (10-01 to 10-08); 10-09 (Friday)
# and 10-10 (a make-up working Saturday) are the next two working days.
DAY = dt.date(2020, 9, 30)

pytestmark = pytest.mark.usefixtures("english")


def case(hall, handler, due: dt.date, **kwargs) -> Complaint:
    kwargs.setdefault("channel", Channel.ON_SITE)
    kwargs.setdefault("status", Complaint.Status.ASSIGNED)
    return Complaint.objects.create(
        hall=hall,
        handler=handler,
        due_date=due,
        received_at=dt.datetime(2020, 9, 21, 10, 0, tzinfo=SHANGHAI),
        **kwargs,
    )


def measure(hall, person, deadline: dt.date, title: str, **kwargs) -> Measure:
    checklist, _ = RectificationChecklist.objects.get_or_create(
        hall=hall,
        title="满意度提升工作措施",
        defaults={
            "source": RectificationChecklist.Source.QUESTIONNAIRE,
            "period_start": dt.date(2020, 9, 1),
            "period_end": dt.date(2020, 12, 31),
        },
    )
    return Measure.objects.create(
        checklist=checklist, responsible_person=person, deadline=deadline, title=title, **kwargs
    )


@pytest.fixture
def handler(db):
    return UserFactory(username="handler", first_name="Li", last_name="Ming")


def test_the_due_soon_cutoff_skips_the_national_day_holiday(hall_a):
    assert due_soon_cutoff(hall=hall_a, day=DAY) == dt.date(2020, 10, 10)


def test_the_due_soon_cutoff_skips_the_halls_closures(hall_a):
    HallCalendarDayFactory(hall=hall_a, date=dt.date(2020, 10, 10))

    assert due_soon_cutoff(hall=hall_a, day=DAY) == dt.date(2020, 10, 12)


@pytest.mark.parametrize(
    ("due", "reminded"),
    [
        (dt.date(2020, 9, 28), True),  # overdue
        (dt.date(2020, 9, 30), True),  # due today
        (dt.date(2020, 10, 9), True),  # first working day after the holiday
        (dt.date(2020, 10, 10), True),  # make-up working Saturday
        (dt.date(2020, 10, 12), False),  # third working day
    ],
)
def test_a_case_is_reminded_when_due_within_two_working_days_or_overdue(
    hall_a, handler, mailoutbox, due, reminded
):
    case(hall_a, handler, due)

    assert reminders_send(day=DAY) == (1 if reminded else 0)
    assert len(mailoutbox) == (1 if reminded else 0)


def test_the_reminder_lists_cases_and_measures_in_one_email(hall_a, handler, mailoutbox):
    late = case(hall_a, handler, dt.date(2020, 9, 28), channel=Channel.BAD_REVIEW)
    soon = case(
        hall_a,
        handler,
        dt.date(2020, 10, 9),
        channel=Channel.WORK_ORDER_12345,
        work_order_no="GD2020093001",
        status=Complaint.Status.IN_PROGRESS,
    )
    measure(hall_a, handler, dt.date(2020, 9, 29), "延时服务", status=Measure.Status.IN_PROGRESS)
    measure(hall_a, handler, dt.date(2020, 10, 10), "一次性告知")

    sent = reminders_send(day=DAY)

    assert sent == 1
    [email] = mailoutbox
    assert email.to == ["handler@example.com"]
    assert email.subject == "Reminder for 2020-09-30: 2 case(s) and 2 measure(s) due or overdue"
    assert email.body == (
        "Hello Li Ming,\n"
        "\n"
        "These are yours and due within 2 working days of 2020-09-30, or overdue.\n"
        "\n"
        "Cases:\n"
        f"- #{late.pk} · bad review · assigned · due 2020-09-28 · overdue by 2 days"
        f" · /complaints/{late.pk}/\n"
        f"- #{soon.pk} (GD2020093001) · 12345 work order · in progress · due 2020-10-09"
        f" · /complaints/{soon.pk}/\n"
        "\n"
        "Rectification measures:\n"
        "- 延时服务 · 满意度提升工作措施 · deadline 2020-09-29 · overdue by 1 day\n"
        "- 一次性告知 · 满意度提升工作措施 · deadline 2020-10-10\n"
        "\n"
        "This reminder is sent once a day by the hall portal.\n"
    )
    assert ReminderSent.objects.filter(user=handler, day=DAY).count() == 1


def test_closed_cases_finished_measures_and_unassigned_cases_are_not_reminded(
    hall_a, handler, mailoutbox
):
    case(hall_a, None, dt.date(2020, 9, 28))
    case(
        hall_a,
        handler,
        dt.date(2020, 9, 28),
        status=Complaint.Status.CLOSED,
        verdict=Complaint.Verdict.SUBSTANTIATED,
        callback_result=Complaint.CallbackResult.SATISFIED,
    )
    measure(hall_a, handler, dt.date(2020, 9, 28), "已完成", status=Measure.Status.DONE)
    measure(hall_a, handler, dt.date(2020, 9, 28), "已验收", status=Measure.Status.VERIFIED)

    assert reminders_send(day=DAY) == 0
    assert mailoutbox == []
    assert ReminderSent.objects.count() == 0


def test_each_person_gets_one_email_with_their_own_items(hall_a, hall_b, mailoutbox):
    li, wang = UserFactory(username="li"), UserFactory(username="wang")
    case(hall_a, li, dt.date(2020, 9, 30))
    case(hall_b, li, dt.date(2020, 9, 29))
    measure(hall_b, wang, dt.date(2020, 10, 9), "导办服务")

    assert reminders_send(day=DAY) == 2

    by_recipient = {email.to[0]: email.subject for email in mailoutbox}
    assert by_recipient == {
        "li@example.com": "Reminder for 2020-09-30: 2 case(s) and 0 measure(s) due or overdue",
        "wang@example.com": "Reminder for 2020-09-30: 0 case(s) and 1 measure(s) due or overdue",
    }


def test_users_without_email_are_skipped(hall_a, mailoutbox):
    nobody = UserFactory(username="nobody", email="")
    case(hall_a, nobody, dt.date(2020, 9, 28))

    assert reminders_send(day=DAY) == 0
    assert mailoutbox == []
    assert ReminderSent.objects.count() == 0


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(
    hall_a, handler, mailoutbox
):
    case(hall_a, handler, dt.date(2020, 9, 28))
    assert send_daily_reminders.delay("2020-09-30").get() == 1

    assert send_daily_reminders.delay("2020-09-30").get() == 0
    assert len(mailoutbox) == 1
    assert ReminderSent.objects.count() == 1

    assert send_daily_reminders.delay("2020-10-09").get() == 1
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == (
        "Reminder for 2020-10-09: 1 case(s) and 0 measure(s) due or overdue"
    )
    assert sorted(ReminderSent.objects.values_list("day", flat=True)) == [
        DAY,
        dt.date(2020, 10, 9),
    ]


def test_a_reminder_recorded_by_another_worker_is_not_sent_again(
    hall_a, handler, mailoutbox, monkeypatch
):
    """The row another worker committed between our read and our insert stops the send."""
    case(hall_a, handler, dt.date(2020, 9, 28))
    original = reminders.reminder_send

    def other_worker_first(*, user, reminder):
        ReminderSent.objects.create(user=user, day=reminder.day)
        return original(user=user, reminder=reminder)

    monkeypatch.setattr(reminders, "reminder_send", other_worker_first)

    assert reminders_send(day=DAY) == 0
    assert mailoutbox == []
    assert ReminderSent.objects.count() == 1


def test_a_failed_send_records_nothing_so_the_next_run_retries(
    hall_a, handler, mailoutbox, monkeypatch
):
    case(hall_a, handler, dt.date(2020, 9, 28))

    def broken(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("evaluations.services.reminders.send_mail", broken)
    with pytest.raises(ConnectionRefusedError):
        reminders_send(day=DAY)
    assert ReminderSent.objects.count() == 0

    monkeypatch.undo()
    assert reminders_send(day=DAY) == 1
    assert len(mailoutbox) == 1


def test_the_task_reminds_of_the_halls_local_today(hall_a, handler, mailoutbox, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: DAY)
    case(hall_a, handler, dt.date(2020, 9, 28))

    assert send_daily_reminders.delay().get() == 1
    assert ReminderSent.objects.get().day == DAY
