"""Calling at the window from the staff console: 转办 to a category, signing out with a
called ticket, and whose ticket a console may act on."""

import re

import pytest
from django.test import Client

from tests.windows.factories import StaffFactory, UserFactory, WindowFactory
from tests.windows.test_console_queue import (
    OUT_OF_DATE,
    call,
    called_here,
    category_of,
    issue,
    messages_of,
    post,
    start,
    state,
)
from windows.models import QueueCall, Visit, VisitItem, WindowSession
from windows.queue.services import ticket_call_next
from windows.services import visit_start, window_sign_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def staff(hall_a):
    return StaffFactory(
        hall=hall_a, badge_no="A005", display_name="王小明", user=UserFactory(username="wangxm")
    )


@pytest.fixture
def other_window(hall_a):
    return WindowFactory(hall=hall_a, number=6, name="6号窗口")


@pytest.fixture
def pension(hall_a, window):
    return category_of(hall_a, "A", "社保通办", window, order=0)


@pytest.fixture
def medical(hall_a, other_window):
    """A category window 5 does not serve."""
    return category_of(hall_a, "B", "医保业务", other_window, order=1)


@pytest.fixture
def signed_in(en_client, staff, window, pension):
    en_client.force_login(staff.user)
    window_sign_in(staff=staff, window=window)
    return en_client


# --- transfer --------------------------------------------------------------------------


def test_transfer_to_a_category_puts_the_ticket_first_there(
    signed_in, hall_a, window, other_window, pension, medical, items
):
    waiting = issue(medical, minutes_ago=30)
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    start(signed_in, visit, items[:1])
    html = signed_in.get("/console/").content.decode()
    assert re.findall(r'<option value="(\d*)">', html) == ["", str(pension.pk), str(medical.pk)]
    response = post(
        signed_in,
        "/console/transfer/",
        {
            "visit": visit.pk,
            "category": medical.pk,
            "service_items": [items[0].pk],
            "items_shown": "1",
        },
    )
    assert messages_of(response) == [
        "Ticket A001 transferred to 医保业务; it waits first in that queue."
    ]
    visit.refresh_from_db()
    assert (visit.status, visit.window, visit.item_count) == (Visit.Status.TRANSFERRED, window, 1)
    colleague = window_sign_in(staff=StaffFactory(hall=hall_a), window=other_window)
    first = ticket_call_next(session=colleague)
    assert (first.ticket_no, first.category, first.lane) == ("A001", medical, Visit.Lane.TRANSFER)
    assert Visit.objects.waiting().get() == waiting


def test_transfer_of_a_queue_ticket_without_a_category_is_refused(
    signed_in, window, pension, items
):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    start(signed_in, visit, items[:1])
    response = post(signed_in, "/console/transfer/", {"visit": visit.pk, "category": ""})
    assert messages_of(response) == ["Choose the business category to transfer ticket A001 to."]
    assert state(visit)[:2] == (Visit.Status.IN_SERVICE, window.pk)
    assert Visit.objects.count() == 1


def test_transfer_to_another_halls_category_is_refused(signed_in, hall_b, window, pension, items):
    foreign = category_of(hall_b, "A", "社保通办")
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    start(signed_in, visit, items[:1])
    response = post(signed_in, "/console/transfer/", {"visit": visit.pk, "category": foreign.pk})
    assert messages_of(response) == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert state(visit)[:2] == (Visit.Status.IN_SERVICE, window.pk)
    assert Visit.objects.count() == 1


def test_a_typed_ticket_at_a_queue_window_transfers_without_a_category(
    signed_in, window, staff, pension, items
):
    session = WindowSession.objects.get()
    visit = visit_start(session=session, ticket_no="Z9", service_items=items[:1])
    html = signed_in.get("/console/").content.decode()
    assert '<option value="">Another window (no queue)</option>' in html
    response = post(signed_in, "/console/transfer/", {"visit": visit.pk})
    assert messages_of(response) == ["Ticket Z9 transferred to another window."]
    assert state(visit)[0] == Visit.Status.TRANSFERRED
    assert Visit.objects.count() == 1


def test_a_queue_ticket_in_service_cannot_be_put_back(signed_in, window, pension, items):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    start(signed_in, visit, items[:1])
    response = post(signed_in, "/console/discard/", {"visit": visit.pk})
    assert messages_of(response) == [
        "Ticket A001 came from the queue; transfer it or mark it as no-show."
    ]
    assert state(visit)[0] == Visit.Status.IN_SERVICE


# --- signing out -------------------------------------------------------------------------


def test_sign_out_gives_a_called_ticket_back_to_the_front_of_the_queue(signed_in, window, pension):
    issue(pension, minutes_ago=10)
    issue(pension, minutes_ago=5)
    call(signed_in)
    visit = called_here(window)
    response = post(signed_in, "/console/sign-out/", {"visit": ""})
    assert messages_of(response) == [
        "Ticket A001 went back to the front of its queue; you have signed out."
    ]
    assert state(visit) == (Visit.Status.WAITING, None, 0, Visit.Lane.TRANSFER)
    assert visit.staff_id is None
    assert WindowSession.objects.open().count() == 0


def test_sign_out_transfers_a_ticket_in_service_back_to_the_front_of_its_category(
    signed_in, window, pension, items
):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    start(signed_in, visit, items[:1])
    response = post(signed_in, "/console/sign-out/", {"visit": visit.pk})
    assert messages_of(response) == [
        "Finish ticket A001, transfer it or mark it as no-show before signing out."
    ]
    assert state(visit)[:2] == (Visit.Status.IN_SERVICE, window.pk)
    response = post(signed_in, "/console/sign-out/", {"visit": visit.pk, "transfer": "1"})
    assert messages_of(response) == ["Ticket A001 transferred; you have signed out of the window."]
    assert state(visit)[0] == Visit.Status.TRANSFERRED
    assert WindowSession.objects.open().count() == 0
    waiting = Visit.objects.waiting().get()
    assert (waiting.ticket_no, waiting.category_id, waiting.lane) == (
        "A001",
        pension.pk,
        Visit.Lane.TRANSFER,
    )


def test_moving_to_another_window_gives_the_called_ticket_back(
    signed_in, staff, window, other_window, pension
):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    window_sign_in(staff=staff, window=other_window)
    assert state(visit) == (Visit.Status.WAITING, None, 0, Visit.Lane.TRANSFER)


# --- whose ticket ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/console/queue/recall/", {"recalls": "0"}),
        ("/console/queue/no-show/", {}),
        ("/console/queue/return/", {}),
    ],
)
def test_another_windows_called_ticket_is_refused_and_unchanged(
    signed_in, hall_a, other_window, pension, medical, url, data
):
    issue(medical)
    colleague = window_sign_in(staff=StaffFactory(hall=hall_a), window=other_window)
    theirs = ticket_call_next(session=colleague)
    theirs.recalls = 2
    theirs.save(update_fields=["recalls"])
    response = post(signed_in, url, {"visit": theirs.pk, **data})
    assert messages_of(response) == ["Ticket B001 is no longer called to this window."]
    assert state(theirs) == (Visit.Status.CALLED, other_window.pk, 2, Visit.Lane.NORMAL)
    assert QueueCall.objects.count() == 1


def test_another_windows_called_ticket_cannot_be_started(
    signed_in, hall_a, other_window, medical, items
):
    issue(medical)
    colleague = window_sign_in(staff=StaffFactory(hall=hall_a), window=other_window)
    theirs = ticket_call_next(session=colleague)
    response = start(signed_in, theirs, items[:1])
    assert messages_of(response) == ["Ticket B001 is no longer called to this window."]
    assert state(theirs)[:2] == (Visit.Status.CALLED, other_window.pk)
    assert VisitItem.objects.count() == 0


@pytest.mark.parametrize(
    "url", ["/console/queue/recall/", "/console/queue/no-show/", "/console/queue/return/"]
)
def test_another_halls_ticket_is_not_found(en_client, hall_b, pension, url):
    """A staff member of hall B, signed in at their own window, posts hall A's ticket."""
    window_b = WindowFactory(hall=hall_b, number=5)
    category_of(hall_b, "A", "社保通办", window_b)
    theirs_staff = StaffFactory(hall=hall_b, user=UserFactory(username="hb_staff"))
    window_sign_in(staff=theirs_staff, window=window_b)
    issue(pension)
    staff_a = StaffFactory(hall=pension.hall)
    window_a = WindowFactory(hall=pension.hall, number=9)
    pension.windows.add(window_a)
    visit = ticket_call_next(session=window_sign_in(staff=staff_a, window=window_a))
    en_client.force_login(theirs_staff.user)
    response = post(en_client, url, {"visit": visit.pk, "recalls": "0"})
    assert messages_of(response) == [OUT_OF_DATE]
    assert state(visit) == (Visit.Status.CALLED, window_a.pk, 0, Visit.Lane.NORMAL)


def test_another_halls_user_cannot_start_a_ticket_or_see_the_panel(
    en_client, hall_b, pension, items
):
    window_b = WindowFactory(hall=hall_b, number=5)
    theirs_staff = StaffFactory(hall=hall_b, user=UserFactory(username="hb_staff"))
    window_sign_in(staff=theirs_staff, window=window_b)
    staff_a = StaffFactory(hall=pension.hall)
    window_a = WindowFactory(hall=pension.hall, number=9)
    pension.windows.add(window_a)
    issue(pension)
    visit = ticket_call_next(session=window_sign_in(staff=staff_a, window=window_a))
    en_client.force_login(theirs_staff.user)
    response = start(en_client, visit, items[:1])
    assert messages_of(response) == [OUT_OF_DATE]
    assert state(visit)[:2] == (Visit.Status.CALLED, window_a.pk)
    html = en_client.get("/console/queue/").content.decode()
    assert "A001" not in html and "社保通办" not in html
    assert 'data-mode="typed"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/console/queue/call/",
        "/console/queue/recall/",
        "/console/queue/no-show/",
        "/console/queue/return/",
        "/console/queue/start/",
    ],
)
def test_queue_actions_need_a_logged_in_staff_member_and_a_post(manager_a, signed_in, url):
    response = Client().post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert signed_in.get(url).status_code == 405
    manager = Client()
    manager.force_login(manager_a)
    assert manager.post(url).status_code == 403
    assert Visit.objects.count() == 0


def test_queue_actions_need_the_csrf_token(staff, window, pension):
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(staff.user)
    window_sign_in(staff=staff, window=window)
    issue(pension)
    assert browser.post("/console/queue/call/", {"held": ""}).status_code == 403
    assert Visit.objects.waiting().count() == 1
