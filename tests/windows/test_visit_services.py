"""The console's services: signing in to a window and serving tickets."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.windows.factories import (
    SHANGHAI,
    ServiceItemFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
)
from windows.models import Visit, VisitItem, WindowServiceItem, WindowSession
from windows.services import (
    visit_finish,
    visit_no_show,
    visit_put_back,
    visit_start,
    visit_transfer,
    visits_abandon_stale,
    window_sign_in,
    window_sign_out,
)
from windows.services.visits import ticket_normalize

pytestmark = pytest.mark.usefixtures("english")

MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def staff(hall_a):
    return StaffFactory(hall=hall_a, badge_no="A005", display_name="王小明")


@pytest.fixture
def session(staff, window):
    return window_sign_in(staff=staff, window=window, now=MORNING)


def message(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


# --- signing in -----------------------------------------------------------------------


def test_sign_in_opens_a_session_at_the_window(staff, window):
    session = window_sign_in(staff=staff, window=window, now=MORNING)
    assert session.window == window
    assert session.staff == staff
    assert session.started_at == MORNING
    assert session.ended_at is None


def test_signing_in_again_to_the_same_window_keeps_the_session(session, staff, window):
    again = window_sign_in(staff=staff, window=window, now=at(11))
    assert again.pk == session.pk
    assert WindowSession.objects.count() == 1


def test_signing_in_to_another_window_closes_the_own_previous_session(session, staff, hall_a):
    other = WindowFactory(hall=hall_a, number=6)
    new = window_sign_in(staff=staff, window=other, now=at(11))
    session.refresh_from_db()
    assert session.ended_at == at(11)
    assert new.window == other
    assert list(WindowSession.objects.open()) == [new]


def test_a_window_held_by_another_member_today_is_refused(session, hall_a, window):
    colleague = StaffFactory(hall=hall_a, badge_no="A006", display_name="李华")
    with pytest.raises(ValidationError) as exc:
        window_sign_in(staff=colleague, window=window, now=at(10))
    assert message(exc) == [
        "Window 5 is held by 王小明 (badge A005) since 09:00; they must sign out first."
    ]
    assert list(WindowSession.objects.all()) == [session]


def test_a_sign_in_forgotten_on_an_earlier_day_does_not_block_the_window(session, hall_a, window):
    colleague = StaffFactory(hall=hall_a)
    tomorrow = at(8, 30, day=3)
    new = window_sign_in(staff=colleague, window=window, now=tomorrow)
    session.refresh_from_db()
    assert session.ended_at == tomorrow
    assert new.staff == colleague


def test_an_inactive_window_is_refused(staff, hall_a):
    closed = WindowFactory(hall=hall_a, number=9, is_active=False)
    with pytest.raises(ValidationError) as exc:
        window_sign_in(staff=staff, window=closed, now=MORNING)
    assert message(exc) == ["Window 9 is closed; choose another window."]
    assert WindowSession.objects.count() == 0


def test_another_halls_window_is_refused(staff, hall_b):
    foreign = WindowFactory(hall=hall_b, number=5)
    with pytest.raises(ValidationError) as exc:
        window_sign_in(staff=staff, window=foreign, now=MORNING)
    assert message(exc) == ["Window 5 belongs to another hall."]
    assert WindowSession.objects.count() == 0


def test_a_member_not_on_duty_cannot_sign_in(hall_a, window):
    off = StaffFactory(hall=hall_a, is_active=False)
    with pytest.raises(ValidationError) as exc:
        window_sign_in(staff=off, window=window, now=MORNING)
    assert message(exc) == [
        "Your profile is marked as not on duty in the hall; ask a manager to change it."
    ]
    assert WindowSession.objects.count() == 0


def test_sign_out_closes_the_open_session_once(session, staff):
    closed = window_sign_out(staff=staff, now=at(17))
    assert closed.pk == session.pk
    session.refresh_from_db()
    assert session.ended_at == at(17)
    assert window_sign_out(staff=staff, now=at(17, 1)) is None


# --- serving --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a012", "A012"),
        (" B7 ", "B7"),
        ("Ａ０１２", "A012"),
        ("0001", "0001"),
        ("X" * 19 + "1", "X" * 19 + "1"),
    ],
)
def test_ticket_numbers_are_normalized(raw, expected):
    assert ticket_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "A-012", "A 012", "ABC", "票012", "X" * 20 + "1", "A012;"]
)
def test_bad_ticket_numbers_are_refused(session, items, raw):
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no=raw, service_items=items[:1], now=at(10))
    assert message(exc) == ["A ticket number is 1-20 letters and digits, e.g. A012."]


def test_start_then_finish_with_three_items_stores_a_completed_visit(session, items, window):
    serving = visit_start(session=session, ticket_no="a012", service_items=items, now=at(10))
    stored = Visit.objects.get()
    assert (stored.status, stored.finished_at, stored.item_count) == ("in_service", None, 3)
    visit = visit_finish(session=session, visit=serving, now=at(10, 8, 30))
    visit.refresh_from_db()
    assert visit.ticket_no == "A012"
    assert visit.status == Visit.Status.COMPLETED
    assert visit.item_count == 3
    assert sorted(
        VisitItem.objects.filter(visit=visit).values_list("service_item__code", flat=True)
    ) == ["C01", "C02", "C03"]
    assert visit.started_at == at(10)
    assert visit.issued_at == at(10)
    assert visit.called_at == at(10)
    assert visit.finished_at == at(10, 8, 30)
    assert visit.service_date == dt.date(2026, 3, 2)
    assert visit.window == window
    assert visit.staff == session.staff
    assert visit.hall == window.hall


def test_service_date_is_the_local_day_of_the_start(session, items):
    # 00:30 in Shanghai is still the previous day in UTC
    session.started_at = at(0, 10, day=3)
    serving = visit_start(
        session=session, ticket_no="A1", service_items=items[:1], now=at(0, 30, day=3)
    )
    visit = visit_finish(session=session, visit=serving, now=at(0, 40, day=3))
    assert visit.service_date == dt.date(2026, 3, 3)


def test_a_known_issue_time_is_kept(session, items):
    serving = visit_start(
        session=session, ticket_no="A1", service_items=items[:1], issued_at=at(9, 40), now=at(10)
    )
    visit = visit_finish(session=session, visit=serving, now=at(10, 5))
    assert visit.issued_at == at(9, 40)
    assert visit.waiting_time == dt.timedelta(minutes=20)


def test_an_issue_time_after_the_start_is_refused(session, items):
    with pytest.raises(ValidationError) as exc:
        visit_start(
            session=session,
            ticket_no="A1",
            service_items=items[:1],
            issued_at=at(10, 1),
            now=at(10),
        )
    assert message(exc) == ["A ticket cannot be issued after its service starts."]


def test_finish_may_change_the_items(session, items):
    serving = visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(10))
    visit = visit_finish(session=session, visit=serving, service_items=items[1:], now=at(10, 5))
    assert visit.item_count == 2
    assert sorted(visit.service_items.values_list("code", flat=True)) == ["C02", "C03"]


def test_transfer_stores_the_hand_over_time(session, items):
    serving = visit_start(session=session, ticket_no="A2", service_items=items[:2], now=at(10))
    visit = visit_transfer(session=session, visit=serving, now=at(10, 3))
    assert visit.status == Visit.Status.TRANSFERRED
    assert visit.finished_at == at(10, 3)
    assert visit.item_count == 2


def test_no_show_has_no_finish_time(session, items):
    serving = visit_start(session=session, ticket_no="A3", service_items=items[:1], now=at(10))
    visit = visit_no_show(session=session, visit=serving, now=at(10, 2))
    assert visit.status == Visit.Status.NO_SHOW
    assert visit.finished_at is None
    assert visit.item_count == 1


def test_a_transferred_ticket_can_be_served_again(session, items):
    first = visit_start(session=session, ticket_no="A4", service_items=items[:1], now=at(10))
    visit_transfer(session=session, visit=first, now=at(10, 2))
    second = visit_start(session=session, ticket_no="A4", service_items=items[:1], now=at(10, 5))
    visit_finish(session=session, visit=second, now=at(10, 9))
    assert list(Visit.objects.order_by("started_at").values_list("status", flat=True)) == [
        "transferred",
        "completed",
    ]


def test_a_ticket_completed_today_in_the_hall_is_refused(session, items, hall_a):
    other_window = WindowFactory(hall=hall_a, number=7)
    VisitFactory(
        hall=hall_a, window=other_window, ticket_no="A012", service_date=dt.date(2026, 3, 2)
    )
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no="a012", service_items=items[:1], now=at(10))
    assert message(exc) == ["Ticket A012 was already served today at Window 7."]
    assert Visit.objects.count() == 1


def test_the_same_ticket_in_another_hall_or_day_is_fine(session, items, hall_b):
    VisitFactory(hall=hall_b, ticket_no="A012", service_date=dt.date(2026, 3, 2))
    VisitFactory(
        hall=session.window.hall,
        window=session.window,
        ticket_no="A012",
        service_date=dt.date(2026, 3, 1),
    )
    serving = visit_start(session=session, ticket_no="A012", service_items=items[:1], now=at(10))
    assert serving.ticket_no == "A012"


def test_no_item_is_refused(session):
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no="A1", service_items=[], now=at(10))
    assert message(exc) == ["Pick at least one service item."]


def test_an_item_the_window_does_not_handle_is_refused(session, items):
    foreign = ServiceItemFactory(code="M01", name="医保报销")
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no="A1", service_items=[items[0], foreign], now=at(10))
    assert message(exc) == ["M01 医保报销 is not handled at Window 5."]


def test_an_unpublished_item_is_refused(session, window):
    hidden = ServiceItemFactory(code="C09", name="旧事项", is_published=False)
    WindowServiceItem.objects.create(window=window, service_item=hidden)
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no="A1", service_items=[hidden], now=at(10))
    assert message(exc) == ["C09 旧事项 is not a published service item."]


def test_a_window_without_listed_items_offers_every_published_item(staff, hall_a):
    bare = WindowFactory(hall=hall_a, number=30)
    anything = ServiceItemFactory(code="Z01", name="综合受理")
    session = window_sign_in(staff=staff, window=bare, now=MORNING)
    visit = visit_finish(
        session=session,
        visit=visit_start(session=session, ticket_no="Z1", service_items=[anything], now=at(10)),
        now=at(10, 1),
    )
    assert visit.item_count == 1


def test_a_finished_session_cannot_serve(session, staff, items):
    serving = visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(10))
    window_sign_out(staff=staff, now=at(10, 1), transfer_serving=True)
    session.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        visit_finish(session=session, visit=serving, now=at(10, 2))
    assert message(exc) == ["You are no longer signed in to this window; sign in again."]
    assert Visit.objects.get().status == Visit.Status.TRANSFERRED


def test_a_visit_of_another_window_is_refused(session, items, hall_a):
    colleague = StaffFactory(hall=hall_a)
    theirs = window_sign_in(
        staff=colleague, window=WindowFactory(hall=hall_a, number=6), now=MORNING
    )
    other = visit_start(session=theirs, ticket_no="A1", service_items=items[:1], now=at(10))
    with pytest.raises(ValidationError) as exc:
        visit_finish(session=session, visit=other, now=at(10, 5))
    assert message(exc) == ["Ticket A1 is no longer being served at this window."]
    assert Visit.objects.get().status == Visit.Status.IN_SERVICE


# --- the visit's life on the server ---------------------------------------------------


def test_one_visit_in_service_per_window(session, items):
    visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(10))
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no="A2", service_items=items[:1], now=at(10, 1))
    assert message(exc) == ["Ticket A1 is being served; finish it first."]
    assert list(Visit.objects.values_list("ticket_no", "status")) == [("A1", "in_service")]


def test_a_ticket_in_service_at_another_window_is_refused(session, items, hall_a):
    colleague = StaffFactory(hall=hall_a)
    theirs = window_sign_in(
        staff=colleague, window=WindowFactory(hall=hall_a, number=6), now=MORNING
    )
    visit_start(session=theirs, ticket_no="A9", service_items=items[:1], now=at(10))
    with pytest.raises(ValidationError) as exc:
        visit_start(session=session, ticket_no="A9", service_items=items[:1], now=at(10, 1))
    assert message(exc) == ["Ticket A9 is being served at Window 6."]


def test_ending_a_visit_twice_is_refused_and_changes_nothing(session, items):
    serving = visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(10))
    visit_finish(session=session, visit=serving, now=at(10, 5))
    with pytest.raises(ValidationError) as exc:
        visit_no_show(session=session, visit=serving, now=at(10, 6))
    assert message(exc) == ["Ticket A1 is no longer being served at this window."]
    visit = Visit.objects.get()
    assert (visit.status, visit.finished_at) == ("completed", at(10, 5))


def test_put_back_deletes_the_visit_and_its_items(session, items):
    serving = visit_start(session=session, ticket_no="A1", service_items=items, now=at(10))
    visit_put_back(session=session, visit=serving)
    assert (Visit.objects.count(), VisitItem.objects.count()) == (0, 0)


def test_sign_out_while_serving_is_refused_unless_it_transfers(session, staff, items):
    visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(10))
    with pytest.raises(ValidationError) as exc:
        window_sign_out(staff=staff, now=at(10, 1))
    assert message(exc) == [
        "Finish ticket A1, transfer it or mark it as no-show before signing out."
    ]
    assert WindowSession.objects.open().count() == 1
    closed = window_sign_out(staff=staff, now=at(10, 2), transfer_serving=True)
    assert closed.ended_at == at(10, 2)
    visit = Visit.objects.get()
    assert (visit.status, visit.finished_at) == ("transferred", at(10, 2))


def test_moving_to_another_window_while_serving_is_refused(session, staff, items, hall_a):
    visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(10))
    with pytest.raises(ValidationError) as exc:
        window_sign_in(staff=staff, window=WindowFactory(hall=hall_a, number=8), now=at(10, 1))
    assert message(exc) == [
        "Ticket A1 is being served at Window 5; finish it, transfer it or mark it as no-show "
        "before moving to another window."
    ]
    assert WindowSession.objects.open().get().window.number == 5


def test_a_visit_left_in_service_overnight_is_abandoned_and_frees_the_window(
    session, staff, items, window
):
    visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(16, 55))
    assert visits_abandon_stale(now=at(23, 59)) == 0
    assert visits_abandon_stale(now=at(0, 30, day=3)) == 1
    visit = Visit.objects.get()
    assert (visit.status, visit.finished_at) == ("abandoned", None)
    # the next morning the window serves again
    today = window_sign_in(staff=staff, window=window, now=at(8, 30, day=3))
    visit_start(session=today, ticket_no="A1", service_items=items[:1], now=at(9, day=3))
    assert sorted(Visit.objects.values_list("status", flat=True)) == ["abandoned", "in_service"]


def test_taking_the_window_next_day_abandons_a_visit_the_nightly_job_missed(
    session, items, window, hall_a
):
    visit_start(session=session, ticket_no="A1", service_items=items[:1], now=at(16, 55))
    colleague = StaffFactory(hall=hall_a)
    window_sign_in(staff=colleague, window=window, now=at(8, 30, day=3))
    assert Visit.objects.get().status == Visit.Status.ABANDONED
