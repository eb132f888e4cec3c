"""Calling at the window from the staff console: 叫号, 重呼, 过号, 退回, 开始办理, 转办."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.windows.factories import StaffFactory, UserFactory, WindowFactory
from windows.models import QueueCall, QueueCategory, Visit, VisitItem, WindowSession
from windows.queue.services import ticket_call_next, ticket_issue
from windows.services import visit_start, window_sign_in

pytestmark = pytest.mark.usefixtures("english")

OUT_OF_DATE = "The console was out of date (changed in another window); check it again."


def category_of(hall, prefix: str, name: str, *windows, order: int = 0) -> QueueCategory:
    category = QueueCategory.objects.create(
        hall=hall,
        name=name,
        prefix=prefix,
        sort_order=order,
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 59, 59),
    )
    category.windows.add(*windows)
    return category


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


def issue(category, *, minutes_ago: int = 0, lane: str = Visit.Lane.NORMAL) -> Visit:
    visit = ticket_issue(category=category, lane=lane)
    if minutes_ago:
        issued = timezone.now() - dt.timedelta(minutes=minutes_ago)
        Visit.objects.filter(pk=visit.pk).update(issued_at=issued)
        visit.refresh_from_db()
    return visit


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match is not None, element_id
    return re.sub(r"\s+", " ", match.group(1)).strip()


def called_here(window) -> Visit | None:
    return Visit.objects.filter(window=window, status=Visit.Status.CALLED).first()


def call(client):
    return post(client, "/console/queue/call/", {"held": ""})


def start(client, visit: Visit, items: list):
    data = {"called": str(visit.pk), "service_items": [i.pk for i in items], "items_shown": "1"}
    return post(client, "/console/queue/start/", data)


def state(visit: Visit) -> tuple:
    visit.refresh_from_db()
    return (visit.status, visit.window_id, visit.recalls, visit.lane)


# --- the panel -------------------------------------------------------------------------


def test_the_panel_shows_the_windows_categories_and_their_waiting_counts(
    signed_in, pension, medical
):
    issue(pension)
    issue(pension)
    issue(medical)
    html = signed_in.get("/console/").content.decode()
    assert re.findall(r'id="queue-count-(\w+)"', html) == ["A"]
    count = re.search(r'id="queue-count-A".*?</li>', html, re.S).group(0)
    assert '<span class="console-queue-name">社保通办</span>' in count
    assert '<span class="console-queue-n">2</span>' in count
    assert text_of(html, "queue-total") == "2 tickets waiting"
    assert 'id="btn-call"' in html
    assert 'id="ticket-no"' not in html  # no typed tickets at a queue window
    assert 'id="btn-start"' not in html
    assert '<script src="/static/windows/console-queue.js"></script>' in html


def test_a_window_without_categories_keeps_the_typed_ticket_console(
    en_client, staff, window, medical
):
    en_client.force_login(staff.user)
    window_sign_in(staff=staff, window=window)
    html = en_client.get("/console/").content.decode()
    assert 'id="queue-panel"' not in html
    assert 'id="ticket-no"' in html
    assert 'id="btn-start"' in html
    assert "console-queue.js" not in html


def test_an_inactive_category_gives_no_queue(en_client, staff, window, pension):
    QueueCategory.objects.filter(pk=pension.pk).update(is_active=False)
    en_client.force_login(staff.user)
    window_sign_in(staff=staff, window=window)
    assert 'id="queue-panel"' not in en_client.get("/console/").content.decode()


# --- calling ---------------------------------------------------------------------------


def test_calls_follow_the_queue_order_through_the_views(signed_in, window, pension, medical, items):
    first = issue(pension, minutes_ago=20)
    green = issue(pension, minutes_ago=5, lane=Visit.Lane.PRIORITY)
    last = issue(pension, minutes_ago=3)
    issue(medical, minutes_ago=30)
    called = []
    for _ in range(3):
        response = call(signed_in)
        assert messages_of(response) == []
        visit = called_here(window)
        called.append(visit.ticket_no)
        assert text_of(response.content.decode(), "called-ticket") == visit.ticket_no
        start(signed_in, visit, items[:1])
        post(signed_in, "/console/finish/", {"visit": str(visit.pk)})
    assert called == [green.ticket_no, first.ticket_no, last.ticket_no] == ["A002", "A001", "A003"]
    assert Visit.objects.completed().count() == 3
    assert Visit.objects.waiting().get().ticket_no == "B001"


def test_the_called_ticket_shows_category_lane_issue_time_and_wait(signed_in, pension):
    visit = issue(pension, minutes_ago=12, lane=Visit.Lane.PRIORITY)
    html = call(signed_in).content.decode()
    visit.refresh_from_db()
    issued = timezone.localtime(visit.issued_at).strftime("%H:%M")
    waited = int((visit.called_at - visit.issued_at).total_seconds()) // 60
    assert waited == 12
    assert text_of(html, "called-ticket") == "A001"
    assert text_of(html, "called-category") == "社保通办"
    assert text_of(html, "called-lane") == "Green channel"
    assert text_of(html, "called-times") == f"issued at {issued} · waited 12 minutes"
    assert text_of(html, "recall-count") == "0/2"
    assert re.search(r'id="btn-queue-no-show"[^>]*disabled', html)
    assert text_of(html, "no-show-hint") == "No-show is possible after 2 recalls."
    assert visit.status == Visit.Status.CALLED
    assert QueueCall.objects.filter(visit=visit, kind=QueueCall.Kind.CALL).count() == 1


def test_an_empty_queue_says_so_and_calls_nothing(signed_in, window, medical):
    issue(medical)
    response = call(signed_in)
    assert messages_of(response) == ["No ticket is waiting now."]
    assert text_of(response.content.decode(), "queue-empty") == "No ticket is waiting now."
    assert called_here(window) is None
    assert Visit.objects.waiting().count() == 1


def test_a_double_click_of_call_calls_one_ticket(signed_in, window, pension):
    issue(pension)
    issue(pension)
    call(signed_in)
    response = call(signed_in)
    assert messages_of(response) == []
    assert list(
        Visit.objects.filter(status=Visit.Status.CALLED).values_list("ticket_no", flat=True)
    ) == ["A001"]
    assert Visit.objects.waiting().get().ticket_no == "A002"
    assert QueueCall.objects.count() == 1
    assert text_of(response.content.decode(), "called-ticket") == "A001"


def test_calling_while_a_ticket_is_held_without_the_pages_field_is_refused(signed_in, pension):
    issue(pension)
    issue(pension)
    call(signed_in)
    response = post(signed_in, "/console/queue/call/")
    assert messages_of(response) == ["Ticket A001 is still at this window; finish it first."]
    assert Visit.objects.waiting().get().ticket_no == "A002"


def test_calling_without_a_sign_in_is_refused(en_client, staff, pension):
    issue(pension)
    en_client.force_login(staff.user)
    response = call(en_client)
    assert messages_of(response) == ["Sign in to a window first."]
    assert Visit.objects.waiting().count() == 1


# --- recall, no-show, return -------------------------------------------------------------


def test_recalls_are_counted_and_shown_against_the_limit(signed_in, window, pension):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    response = post(signed_in, "/console/queue/recall/", {"visit": visit.pk, "recalls": "0"})
    assert messages_of(response) == ["Ticket A001 recalled (1 of 2)."]
    assert text_of(response.content.decode(), "recall-count") == "1/2"
    # a second press of the same page's button does not recall again
    response = post(signed_in, "/console/queue/recall/", {"visit": visit.pk, "recalls": "0"})
    assert messages_of(response) == []
    response = post(signed_in, "/console/queue/recall/", {"visit": visit.pk, "recalls": "1"})
    assert messages_of(response) == ["Ticket A001 recalled (2 of 2)."]
    html = response.content.decode()
    assert text_of(html, "recall-count") == "2/2"
    assert not re.search(r'id="btn-queue-no-show"[^>]*disabled', html)
    assert 'id="no-show-hint"' not in html
    assert state(visit) == (Visit.Status.CALLED, window.pk, 2, Visit.Lane.NORMAL)
    assert QueueCall.objects.filter(visit=visit, kind=QueueCall.Kind.RECALL).count() == 2


def test_no_show_is_refused_before_the_halls_recall_limit(signed_in, window, pension):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    post(signed_in, "/console/queue/recall/", {"visit": visit.pk, "recalls": "0"})
    response = post(signed_in, "/console/queue/no-show/", {"visit": visit.pk})
    assert messages_of(response) == [
        "Recall the ticket 2 times before marking it a no-show (recalled 1)."
    ]
    assert state(visit) == (Visit.Status.CALLED, window.pk, 1, Visit.Lane.NORMAL)
    assert visit.started_at is None


def test_no_show_after_the_limit_ends_the_ticket(signed_in, window, pension):
    issue(pension)
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    for done in range(2):
        post(signed_in, "/console/queue/recall/", {"visit": visit.pk, "recalls": str(done)})
    response = post(signed_in, "/console/queue/no-show/", {"visit": visit.pk})
    assert messages_of(response) == ["Ticket A001 marked as no-show."]
    assert state(visit)[:3] == (Visit.Status.NO_SHOW, window.pk, 2)
    html = response.content.decode()
    assert 'id="called"' not in html
    assert 'id="btn-call"' in html


def test_start_with_the_picked_items(signed_in, staff, window, pension, items):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    response = start(signed_in, visit, items[:2])
    assert messages_of(response) == []
    html = response.content.decode()
    assert text_of(html, "serving-ticket") == "A001"
    assert text_of(html, "serving-category") == "社保通办"
    assert text_of(html, "queue-held-note") == "Finish ticket A001 before calling the next one."
    visit.refresh_from_db()
    assert (visit.status, visit.item_count, visit.staff) == (Visit.Status.IN_SERVICE, 2, staff)
    assert sorted(
        VisitItem.objects.filter(visit=visit).values_list("service_item__code", flat=True)
    ) == [
        "C01",
        "C02",
    ]
    assert visit.started_at >= visit.called_at
    assert 'id="btn-discard"' not in html  # a queue ticket is never deleted


def test_start_without_items_is_refused_and_keeps_the_call(signed_in, window, pension):
    issue(pension)
    call(signed_in)
    visit = called_here(window)
    response = start(signed_in, visit, [])
    assert messages_of(response) == ["Pick at least one service item."]
    assert state(visit)[:2] == (Visit.Status.CALLED, window.pk)
    assert VisitItem.objects.count() == 0


def test_return_puts_the_ticket_first_in_its_queue(signed_in, window, pension):
    issue(pension, minutes_ago=10)
    issue(pension, minutes_ago=5)
    call(signed_in)
    visit = called_here(window)
    response = post(signed_in, "/console/queue/return/", {"visit": visit.pk})
    assert messages_of(response) == ["Ticket A001 went back to the front of its queue."]
    assert state(visit) == (Visit.Status.WAITING, None, 0, Visit.Lane.TRANSFER)
    assert text_of(response.content.decode(), "queue-total") == "2 tickets waiting"
    call(signed_in)
    assert called_here(window).ticket_no == "A001"


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


def test_sign_out_with_a_ticket_in_service_keeps_todays_behaviour(
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
