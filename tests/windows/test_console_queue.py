"""Calling at the window from the staff console: 叫号, 重呼, 过号, 退回, 开始办理, 转办."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.windows.factories import StaffFactory, UserFactory, WindowFactory
from windows.models import QueueCall, QueueCategory, Visit, VisitItem
from windows.queue.services import ticket_issue
from windows.services import window_sign_in

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
