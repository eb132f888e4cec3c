"""The daily reminders: one email per person per day, cases and measures due or overdue."""

import datetime as dt
import logging

import pytest

from complaints.models import Channel, Complaint
from rectification.models import Measure, RectificationChecklist
from reports import reminders
from reports.models import ReminderSent
from reports.reminders import due_soon_cutoff, reminders_send
from reports.tasks import send_daily_reminders
from tests.windows.factories import (
    SHANGHAI,
    DutyAssignmentFactory,
    HallCalendarDayFactory,
    StaffFactory,
    UserFactory,
    make_manager,
)
from windows import roles
from windows.models import DutyAssignment

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
    extended = measure(
        hall_a, handler, dt.date(2020, 9, 29), "延时服务", status=Measure.Status.IN_PROGRESS
    )
    told = measure(hall_a, handler, dt.date(2020, 10, 10), "一次性告知")

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
        f" · http://testserver/complaints/{late.pk}/\n"
        f"- #{soon.pk} (GD2020093001) · 12345 work order · in progress · due 2020-10-09"
        f" · http://testserver/complaints/{soon.pk}/\n"
        "\n"
        "Rectification measures:\n"
        "- 延时服务 · 满意度提升工作措施 · deadline 2020-09-29 · overdue by 1 day"
        f" · http://testserver/rectification/measures/{extended.pk}/\n"
        "- 一次性告知 · 满意度提升工作措施 · deadline 2020-10-10"
        f" · http://testserver/rectification/measures/{told.pk}/\n"
        "\n"
        "This reminder is sent once a day by the hall portal.\n"
    )
    assert ReminderSent.objects.filter(user=handler, day=DAY).count() == 1


def test_closed_cases_and_finished_measures_are_not_reminded(hall_a, handler, mailoutbox):
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

    monkeypatch.setattr("reports.reminders.send_mail", broken)
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


# --- no case falls through: unassigned items go to the managers and the duty leader -----


def duty_leader(hall, username: str, day: dt.date = DAY) -> DutyAssignment:
    return DutyAssignmentFactory(
        hall=hall,
        date=day,
        role=DutyAssignment.Role.DUTY_LEADER,
        window=None,
        staff__user__username=username,
    )


@pytest.fixture
def hall_of_cases(hall_a, hall_b, manager_a, manager_b, handler):
    """Hall A on 30 Sep 2020 (cutoff 10 Oct): assigned, unassigned and overdue cases and
    measures, a duty leader of the day, two managers (one without email); hall B's own."""
    mute = make_manager(hall_a, "mute_manager")
    mute.email = ""
    mute.save()
    make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    duty_leader(hall_a, "leader")
    duty_leader(hall_a, "tomorrows_leader", day=DAY + dt.timedelta(days=1))
    duty_leader(hall_b, "leader_b", day=DAY + dt.timedelta(days=1))
    rows = {
        "unassigned_late": case(hall_a, None, dt.date(2020, 9, 28), status="received"),
        "bad_review": case(
            hall_a, None, dt.date(2020, 10, 9), channel=Channel.BAD_REVIEW, status="received"
        ),
        "unassigned_later": case(hall_a, None, dt.date(2020, 10, 12), status="received"),
        "unassigned_closed": case(
            hall_a,
            None,
            dt.date(2020, 9, 20),
            status=Complaint.Status.CLOSED,
            verdict=Complaint.Verdict.SUBSTANTIATED,
            callback_result=Complaint.CallbackResult.SATISFIED,
        ),
        "handlers_late": case(hall_a, handler, dt.date(2020, 9, 29)),
        "managers_own": case(hall_a, manager_a, dt.date(2020, 10, 10)),
        "b_unassigned": case(hall_b, None, dt.date(2020, 9, 29), status="received"),
        "nobodys_measure": measure(
            hall_a, None, dt.date(2020, 9, 25), "增设监督投诉电话", status="in_progress"
        ),
        "handlers_measure": measure(hall_a, handler, dt.date(2020, 10, 9), "挂牌上岗"),
        "nobodys_later_measure": measure(hall_a, None, dt.date(2020, 10, 30), "着装统一"),
        "nobodys_done_measure": measure(
            hall_a, None, dt.date(2020, 9, 1), "标画一米线", status=Measure.Status.DONE
        ),
    }
    return rows


def test_every_due_item_reaches_its_person_or_the_managers_and_duty_leader(
    hall_of_cases, mailoutbox, caplog
):
    rows = hall_of_cases
    caplog.set_level(logging.INFO, logger="reports.reminders")

    assert reminders_send(day=DAY) == 4

    emails = {email.to[0]: email for email in mailoutbox}
    assert len(mailoutbox) == 4
    assert {to: email.subject for to, email in emails.items()} == {
        "handler@example.com": (
            "Reminder for 2020-09-30: 1 case(s) and 1 measure(s) due or overdue"
        ),
        "manager_a@example.com": (
            "Reminder for 2020-09-30: 3 case(s) and 1 measure(s) due or overdue,"
            " 3 of them unassigned"
        ),
        "leader@example.com": (
            "Reminder for 2020-09-30: 2 case(s) and 1 measure(s) due or overdue,"
            " 3 of them unassigned"
        ),
        "manager_b@example.com": (
            "Reminder for 2020-09-30: 1 case(s) and 0 measure(s) due or overdue,"
            " 1 of them unassigned"
        ),
    }
    late, bad, own = rows["unassigned_late"], rows["bad_review"], rows["managers_own"]
    unassigned_section = (
        "Unassigned in 甲大厅: nobody handles these yet and they are due within 2 working days"
        " of 2020-09-30, or overdue. Please assign them.\n"
        "\n"
        "Cases:\n"
        f"- #{late.pk} · on site · received · due 2020-09-28 · overdue by 2 days"
        f" · http://testserver/complaints/{late.pk}/\n"
        f"- #{bad.pk} · bad review · received · due 2020-10-09 · http://testserver/complaints/{bad.pk}/\n"
        "\n"
        "Rectification measures:\n"
        "- 增设监督投诉电话 · 满意度提升工作措施 · deadline 2020-09-25 · overdue by 5 days"
        f" · http://testserver/rectification/measures/{rows['nobodys_measure'].pk}/\n"
    )
    assert emails["manager_a@example.com"].body == (
        "Hello manager_a,\n"
        "\n"
        "These are yours and due within 2 working days of 2020-09-30, or overdue.\n"
        "\n"
        "Cases:\n"
        f"- #{own.pk} · on site · assigned · due 2020-10-10 · http://testserver/complaints/{own.pk}/\n"
        "\n" + unassigned_section + "\n"
        "This reminder is sent once a day by the hall portal.\n"
    )
    assert emails["leader@example.com"].body == (
        "Hello leader,\n"
        "\n" + unassigned_section + "\n"
        "This reminder is sent once a day by the hall portal.\n"
    )
    handlers = rows["handlers_late"]
    assert emails["handler@example.com"].body == (
        "Hello Li Ming,\n"
        "\n"
        "These are yours and due within 2 working days of 2020-09-30, or overdue.\n"
        "\n"
        "Cases:\n"
        f"- #{handlers.pk} · on site · assigned · due 2020-09-29 · overdue by 1 day"
        f" · http://testserver/complaints/{handlers.pk}/\n"
        "\n"
        "Rectification measures:\n"
        "- 挂牌上岗 · 满意度提升工作措施 · deadline 2020-10-09"
        f" · http://testserver/rectification/measures/{rows['handlers_measure'].pk}/\n"
        "\n"
        "This reminder is sent once a day by the hall portal.\n"
    )
    b_case = rows["b_unassigned"]
    assert emails["manager_b@example.com"].body == (
        "Hello manager_b,\n"
        "\n"
        "Unassigned in 乙大厅: nobody handles these yet and they are due within 2 working days"
        " of 2020-09-30, or overdue. Please assign them.\n"
        "\n"
        "Cases:\n"
        f"- #{b_case.pk} · on site · received · due 2020-09-29 · overdue by 1 day"
        f" · http://testserver/complaints/{b_case.pk}/\n"
        "\n"
        "This reminder is sent once a day by the hall portal.\n"
    )
    assert sorted(ReminderSent.objects.values_list("user__username", flat=True)) == [
        "handler",
        "leader",
        "manager_a",
        "manager_b",
    ]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == ["Daily reminder for 2020-09-30: mute_manager has no email address, skipped."]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_second_run_the_same_day_sends_nobody_anything(hall_of_cases, mailoutbox):
    assert reminders_send(day=DAY) == 4

    assert reminders_send(day=DAY) == 0
    assert send_daily_reminders.delay("2020-09-30").get() == 0
    assert len(mailoutbox) == 4
    assert ReminderSent.objects.count() == 4


def test_the_reminders_of_the_day_per_person(hall_of_cases, manager_a, manager_b, handler):
    rows = hall_of_cases
    names = {obj.pk: name for name, obj in rows.items() if isinstance(obj, Complaint)}
    measure_names = {obj.pk: name for name, obj in rows.items() if isinstance(obj, Measure)}

    def shown(reminder):
        return (
            [names[c.pk] for c in reminder.cases],
            [measure_names[m.pk] for m in reminder.measures],
            [
                (
                    group.hall.code,
                    [names[c.pk] for c in group.cases],
                    [measure_names[m.pk] for m in group.measures],
                )
                for group in reminder.unassigned
            ],
        )

    due = reminders.reminders_due(day=DAY)
    users = {user.pk: user.username for user in type(handler).objects.filter(pk__in=due)}
    hall_a_unassigned = ("HA", ["unassigned_late", "bad_review"], ["nobodys_measure"])
    assert {users[pk]: shown(reminder) for pk, reminder in due.items()} == {
        "handler": (["handlers_late"], ["handlers_measure"], []),
        "manager_a": (["managers_own"], [], [hall_a_unassigned]),
        "mute_manager": ([], [], [hall_a_unassigned]),
        "leader": ([], [], [hall_a_unassigned]),
        "manager_b": ([], [], [("HB", ["b_unassigned"], [])]),
    }


def test_a_manager_of_two_halls_gets_both_unassigned_sections_in_one_email(
    hall_a, hall_b, mailoutbox
):
    both = make_manager(hall_a, "both")
    both.hall_accesses.create(hall=hall_b)
    case(hall_b, None, dt.date(2020, 9, 29))
    case(hall_a, None, dt.date(2020, 9, 30))

    assert reminders_send(day=DAY) == 1

    [email] = mailoutbox
    assert email.subject == (
        "Reminder for 2020-09-30: 2 case(s) and 0 measure(s) due or overdue, 2 of them unassigned"
    )
    assert email.body.index("Unassigned in 甲大厅") < email.body.index("Unassigned in 乙大厅")


def test_a_bad_review_without_handler_reaches_the_duty_leader_when_no_manager_is_granted(
    hall_a, mailoutbox
):
    duty_leader(hall_a, "leader")
    follow_up = case(hall_a, None, dt.date(2020, 10, 10), channel=Channel.BAD_REVIEW)

    assert reminders_send(day=DAY) == 1

    [email] = mailoutbox
    assert email.to == ["leader@example.com"]
    assert f"- #{follow_up.pk} · bad review · assigned · due 2020-10-10 · " in email.body


def test_a_hall_whose_unassigned_items_reach_nobody_is_named_in_a_warning(
    hall_a, hall_b, manager_b, mailoutbox, caplog
):
    mute = make_manager(hall_a, "mute")
    mute.email = ""
    mute.save()
    inactive = make_manager(hall_a, "gone")
    inactive.is_active = False
    inactive.save()
    StaffFactory(hall=hall_a)  # window staff are not told of unassigned items
    case(hall_a, None, dt.date(2020, 9, 28))
    case(hall_a, None, dt.date(2020, 10, 9), channel=Channel.BAD_REVIEW)
    case(hall_a, UserFactory(username="no_mail", email=""), dt.date(2020, 9, 30))
    measure(hall_a, None, dt.date(2020, 9, 25), "增设监督投诉电话")
    case(hall_b, None, dt.date(2020, 9, 28))
    caplog.set_level(logging.INFO, logger="reports.reminders")

    assert reminders_send(day=DAY) == 1

    assert [email.to for email in mailoutbox] == [["manager_b@example.com"]]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "Daily reminders for 2020-09-30: 4 due item(s) of 甲大厅（HA） reach nobody (no handler,"
        " manager or duty leader with an email address)."
    ]
    assert ReminderSent.objects.count() == 1
