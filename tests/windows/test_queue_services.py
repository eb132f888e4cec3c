"""The hall's own queue: issuing, calling in order, recalls, no-shows, start, transfer."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.windows.factories import (
    SHANGHAI,
    ServiceItemFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.models import QueueCall, QueueCategory, Visit
from windows.queue.defaults import default_categories_create
from windows.queue.services import (
    ticket_call_next,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_return,
    ticket_start,
    ticket_transfer,
)
from windows.services import visit_finish, visits_abandon_stale, window_sign_in

pytestmark = pytest.mark.usefixtures("english")


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def zone(hall_a):
    return ZoneFactory(hall=hall_a, name="社保通办", kind="general")


@pytest.fixture
def windows(hall_a, zone):
    return [WindowFactory(hall=hall_a, number=n, zone=zone) for n in (1, 2)]


@pytest.fixture
def category(hall_a, zone, windows):
    default_categories_create(hall=hall_a)
    return QueueCategory.objects.get(hall=hall_a, prefix="A")


@pytest.fixture
def sessions(hall_a, windows):
    return [
        window_sign_in(
            staff=StaffFactory(hall=hall_a, badge_no=f"S{w.number}"), window=w, now=at(8, 30)
        )
        for w in windows
    ]


def test_defaults_give_each_general_zone_a_category_and_one_for_the_specialist_windows(
    hall_a, zone, windows
):
    specialist = WindowFactory(hall=hall_a, number=20, zone=None)

    created = default_categories_create(hall=hall_a)

    rows = [
        (
            c.prefix,
            c.name,
            sorted(c.zones.values_list("name", flat=True)),
            sorted(c.windows.values_list("number", flat=True)),
        )
        for c in QueueCategory.objects.filter(hall=hall_a)
    ]
    assert created == 2
    assert rows == [("A", "社保通办", ["社保通办"], []), ("B", "专窗业务", [], [specialist.number])]
    assert default_categories_create(hall=hall_a) == 0


def test_tickets_are_numbered_per_category_and_day_and_wait(category):
    first = ticket_issue(category=category, now=at(9, 0))
    second = ticket_issue(category=category, now=at(9, 1))
    next_day = ticket_issue(category=category, now=at(9, 0, day=3))

    assert [first.ticket_no, second.ticket_no, next_day.ticket_no] == ["A001", "A002", "A001"]
    assert (first.status, first.window_id, first.started_at, first.issued_at) == (
        Visit.Status.WAITING,
        None,
        None,
        at(9, 0),
    )
    assert first.service_date == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "moment, message",
    [
        (at(8, 29), "Tickets for 社保通办 are issued from 08:30 to 17:00."),
        (at(17, 0), "Tickets for 社保通办 are issued from 08:30 to 17:00."),
    ],
)
def test_no_ticket_outside_the_hours(category, moment, message):
    with pytest.raises(ValidationError) as error:
        ticket_issue(category=category, now=moment)

    assert error.value.messages == [message]
    assert Visit.objects.count() == 0


def test_the_daily_capacity_is_kept_and_a_refusal_uses_no_number(category):
    category.daily_capacity = 2
    category.save()
    ticket_issue(category=category, now=at(9, 0))
    ticket_issue(category=category, now=at(9, 1))

    with pytest.raises(ValidationError) as error:
        ticket_issue(category=category, now=at(9, 2))

    assert error.value.messages == ["Today's tickets for 社保通办 are all given out."]
    assert list(Visit.objects.values_list("ticket_no", flat=True).order_by("ticket_no")) == [
        "A001",
        "A002",
    ]
    assert category.counters.get().last == 2


def test_windows_call_transfers_then_due_appointments_then_priority_then_in_order(
    category, sessions
):
    normal = ticket_issue(category=category, now=at(9, 0))
    early_appointment = ticket_issue(
        category=category, lane=Visit.Lane.APPOINTMENT, due_at=at(11, 0), now=at(9, 1)
    )
    priority = ticket_issue(category=category, lane=Visit.Lane.PRIORITY, now=at(9, 2))
    due_appointment = ticket_issue(
        category=category, lane=Visit.Lane.APPOINTMENT, due_at=at(9, 30), now=at(9, 3)
    )
    transferred = ticket_issue(category=category, lane=Visit.Lane.TRANSFER, now=at(9, 4))

    called = []
    for minute in range(10, 15):
        session = sessions[0]
        visit = ticket_call_next(session=session, now=at(10, minute))
        called.append(visit.ticket_no)
        ticket_recall(session=session, visit=visit, now=at(10, minute))
        ticket_recall(session=session, visit=visit, now=at(10, minute))
        ticket_no_show(session=session, visit=visit, now=at(10, minute))

    assert called == [
        transferred.ticket_no,
        due_appointment.ticket_no,
        priority.ticket_no,
        normal.ticket_no,
        early_appointment.ticket_no,
    ]
    assert ticket_call_next(session=sessions[0], now=at(10, 20)) is None


def test_a_call_records_the_window_staff_and_real_time(category, sessions):
    ticket = ticket_issue(category=category, now=at(9, 0))

    called = ticket_call_next(session=sessions[1], now=at(9, 7))

    assert called.pk == ticket.pk
    assert (called.status, called.window_id, called.staff_id, called.called_at) == (
        Visit.Status.CALLED,
        sessions[1].window_id,
        sessions[1].staff_id,
        at(9, 7),
    )
    assert list(QueueCall.objects.values_list("visit_id", "window_id", "kind")) == [
        (ticket.pk, sessions[1].window_id, "call")
    ]


def test_a_window_holding_a_ticket_cannot_call_another(category, sessions):
    ticket_issue(category=category, now=at(9, 0))
    ticket_issue(category=category, now=at(9, 1))
    held = ticket_call_next(session=sessions[0], now=at(9, 2))

    with pytest.raises(ValidationError) as error:
        ticket_call_next(session=sessions[0], now=at(9, 3))

    assert error.value.messages == [
        f"Ticket {held.ticket_no} is still at this window; finish it first."
    ]
    assert Visit.objects.waiting().count() == 1


def test_no_show_only_after_the_halls_recalls(category, sessions, hall_a):
    ticket_issue(category=category, now=at(9, 0))
    visit = ticket_call_next(session=sessions[0], now=at(9, 1))
    ticket_recall(session=sessions[0], visit=visit, now=at(9, 2))

    with pytest.raises(ValidationError) as error:
        ticket_no_show(session=sessions[0], visit=visit, now=at(9, 3))
    assert error.value.messages == [
        "Recall the ticket 2 times before marking it a no-show (recalled 1)."
    ]

    visit = ticket_recall(session=sessions[0], visit=visit, now=at(9, 4))
    ended = ticket_no_show(session=sessions[0], visit=visit, now=at(9, 5))
    assert (ended.status, ended.called_at, ended.started_at, ended.recalls) == (
        Visit.Status.NO_SHOW,
        at(9, 1),
        at(9, 5),
        2,
    )
    assert list(QueueCall.objects.order_by("pk").values_list("kind", flat=True)) == [
        "call",
        "recall",
        "recall",
    ]


def test_serving_a_called_ticket_keeps_its_real_times(category, sessions, windows):
    item = ServiceItemFactory()
    ticket_issue(category=category, now=at(9, 0))
    visit = ticket_call_next(session=sessions[0], now=at(9, 12))
    visit = ticket_start(session=sessions[0], visit=visit, service_items=[item], now=at(9, 13))
    visit = visit_finish(session=sessions[0], visit=visit, now=at(9, 20))

    assert (visit.issued_at, visit.called_at, visit.started_at, visit.finished_at) == (
        at(9, 0),
        at(9, 12),
        at(9, 13),
        at(9, 20),
    )
    assert visit.status == Visit.Status.COMPLETED
    assert visit.waiting_time == dt.timedelta(minutes=12)


def test_another_window_cannot_start_or_recall_a_ticket_called_elsewhere(category, sessions):
    ticket_issue(category=category, now=at(9, 0))
    visit = ticket_call_next(session=sessions[0], now=at(9, 1))

    for act in (
        lambda: ticket_recall(session=sessions[1], visit=visit, now=at(9, 2)),
        lambda: ticket_start(
            session=sessions[1], visit=visit, service_items=[ServiceItemFactory()], now=at(9, 2)
        ),
    ):
        with pytest.raises(ValidationError) as error:
            act()
        assert error.value.messages == [
            f"Ticket {visit.ticket_no} is no longer called to this window."
        ]
    visit.refresh_from_db()
    assert (visit.status, visit.window_id, visit.recalls) == (
        Visit.Status.CALLED,
        sessions[0].window_id,
        0,
    )


def test_a_transfer_puts_the_ticket_at_the_front_of_the_target_category(
    hall_a, category, sessions, windows
):
    specialist_window = WindowFactory(hall=hall_a, number=20, zone=None)
    other = QueueCategory.objects.create(hall=hall_a, name="医保专窗", prefix="M")
    other.windows.add(specialist_window)
    specialist = window_sign_in(
        staff=StaffFactory(hall=hall_a, badge_no="S20"), window=specialist_window, now=at(8, 30)
    )
    ticket_issue(category=category, now=at(9, 0))
    already_waiting = ticket_issue(category=other, now=at(9, 1))
    visit = ticket_call_next(session=sessions[0], now=at(9, 2))
    visit = ticket_start(
        session=sessions[0], visit=visit, service_items=[ServiceItemFactory()], now=at(9, 3)
    )

    waiting = ticket_transfer(session=sessions[0], visit=visit, category=other, now=at(9, 10))
    next_at_specialist = ticket_call_next(session=specialist, now=at(9, 11))

    visit.refresh_from_db()
    assert visit.status == Visit.Status.TRANSFERRED
    assert (waiting.ticket_no, waiting.issued_at, waiting.lane) == ("A001", at(9, 10), "transfer")
    assert next_at_specialist.pk == waiting.pk
    assert Visit.objects.get(pk=already_waiting.pk).status == Visit.Status.WAITING


def test_a_returned_ticket_is_called_next_by_another_window(category, sessions):
    ticket_issue(category=category, now=at(9, 0))
    ticket_issue(category=category, now=at(9, 1))
    visit = ticket_call_next(session=sessions[0], now=at(9, 2))

    ticket_return(session=sessions[0], visit=visit, now=at(9, 3))
    again = ticket_call_next(session=sessions[1], now=at(9, 4))

    assert (again.pk, again.window_id, again.called_at) == (
        visit.pk,
        sessions[1].window_id,
        at(9, 4),
    )


def test_tickets_left_waiting_or_called_at_night_are_abandoned(category, sessions):
    ticket_issue(category=category, now=at(9, 0))
    ticket_issue(category=category, now=at(9, 1))
    ticket_call_next(session=sessions[0], now=at(16, 59))

    closed = visits_abandon_stale(now=at(0, 5, day=3))

    assert closed == 2
    assert set(Visit.objects.values_list("status", flat=True)) == {Visit.Status.ABANDONED}


def test_a_ticket_knows_who_is_ahead_and_the_estimated_wait(category, sessions):
    from windows.queue.selectors import ticket_position, waiting_counts

    item = ServiceItemFactory()
    served = ticket_issue(category=category, now=at(9, 0))
    served = ticket_call_next(session=sessions[0], now=at(9, 1))
    served = ticket_start(session=sessions[0], visit=served, service_items=[item], now=at(9, 1))
    visit_finish(session=sessions[0], visit=served, now=at(9, 11))  # 10 minutes
    first = ticket_issue(category=category, now=at(9, 20))
    ticket_issue(category=category, now=at(9, 21))
    third = ticket_issue(category=category, now=at(9, 22))
    priority = ticket_issue(category=category, lane=Visit.Lane.PRIORITY, now=at(9, 23))

    position = ticket_position(third, now=at(9, 25))

    assert (position.ahead, position.windows_open) == (3, 2)
    assert position.estimated_wait == dt.timedelta(minutes=15)  # 3 tickets x 10 min / 2 windows
    assert ticket_position(priority, now=at(9, 25)).ahead == 0
    assert ticket_position(first, now=at(9, 25)).ahead == 1
    assert [
        (q.category.prefix, q.waiting)
        for q in waiting_counts(hall=category.hall, day=dt.date(2026, 3, 2))
    ] == [("A", 4)]
