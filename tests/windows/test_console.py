"""The staff console pages: who may use them, signing in, serving, today's figures."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from evaluations.models import Rating
from tests.windows.factories import (
    SHANGHAI,
    DutyAssignmentFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
)
from windows.models import DutyAssignment, Visit, VisitItem, WindowSession
from windows.services import visit_start, window_sign_in

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def staff(hall_a):
    return StaffFactory(
        hall=hall_a, badge_no="A005", display_name="王小明", user=UserFactory(username="wangxm")
    )


@pytest.fixture
def console(en_client, staff):
    en_client.force_login(staff.user)
    return en_client


@pytest.fixture
def signed_in(console, staff, window):
    window_sign_in(staff=staff, window=window)
    return console


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match is not None, element_id
    return re.sub(r"\s+", " ", match.group(1)).strip()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, follow=True)


def start(client, ticket: str, items: list) -> object:
    data = {"ticket_no": ticket, "service_items": [i.pk for i in items], "items_shown": "1"}
    return post(client, "/console/start/", data)


# --- who may use the console -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/console/",
        "/console/sign-in/",
        "/console/sign-out/",
        "/console/start/",
        "/console/finish/",
        "/console/transfer/",
        "/console/no-show/",
        "/console/discard/",
    ],
)
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.post(url) if url != "/console/" else client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_manager_without_a_staff_profile_gets_a_clear_page(en_client, manager_a):
    en_client.force_login(manager_a)
    response = en_client.get("/console/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="console-no-staff"' in html
    assert "Your account manager_a has no staff profile" in html


def test_a_manager_cannot_post_to_the_console(en_client, manager_a, window, items):
    en_client.force_login(manager_a)
    response = en_client.post("/console/sign-in/", {"window": window.pk})
    assert response.status_code == 403
    assert WindowSession.objects.count() == 0


# --- signing in ------------------------------------------------------------------------


def test_the_sign_in_page_suggests_the_roster_window(console, staff, hall_a, window):
    WindowFactory(hall=hall_a, number=6)
    DutyAssignmentFactory(hall=hall_a, staff=staff, window=window, date=timezone.localdate())
    html = console.get("/console/").content.decode()
    assert text_of(html, "roster-suggestion") == "Today's roster puts you at window 5."
    assert re.search(rf'value="{window.pk}" id="window-5"\s+checked', html)
    assert 'id="window-6"' in html
    assert not re.search(r'id="window-6"\s+checked', html)


def test_a_guide_duty_suggests_no_window(console, staff, hall_a, window):
    DutyAssignmentFactory(
        hall=hall_a,
        staff=staff,
        window=None,
        role=DutyAssignment.Role.GUIDE,
        date=timezone.localdate(),
    )
    html = console.get("/console/").content.decode()
    assert text_of(html, "roster-none") == (
        "The roster has no window for you today; choose the window you serve at."
    )


def test_the_sign_in_page_lists_only_active_windows_of_the_own_hall(
    console, hall_a, hall_b, window
):
    WindowFactory(hall=hall_a, number=9, is_active=False)
    WindowFactory(hall=hall_b, number=7)
    html = console.get("/console/").content.decode()
    assert re.findall(r'id="window-(\d+)"', html) == ["5"]


def test_signing_in_shows_the_console(console, staff, window):
    response = post(console, "/console/sign-in/", {"window": window.pk})
    assert messages_of(response) == ["Signed in to window 5."]
    html = response.content.decode()
    assert text_of(html, "console-window") == "Window 5"
    assert 'id="ticket-no"' in html
    session = WindowSession.objects.get()
    assert (session.staff, session.window, session.ended_at) == (staff, window, None)


def test_a_window_held_by_a_colleague_is_refused_with_their_name(console, hall_a, window):
    colleague = StaffFactory(hall=hall_a, badge_no="A006", display_name="李华")
    held = window_sign_in(staff=colleague, window=window)
    response = post(console, "/console/sign-in/", {"window": window.pk})
    since = timezone.localtime(held.started_at).strftime("%H:%M")
    assert messages_of(response) == [
        f"Window 5 is held by 李华 (badge A006) since {since}; they must sign out first."
    ]
    assert list(WindowSession.objects.all()) == [held]
    assert 'id="console-sign-in"' in response.content.decode()


def test_an_inactive_window_is_refused(console, hall_a):
    closed = WindowFactory(hall=hall_a, number=9, is_active=False)
    response = post(console, "/console/sign-in/", {"window": closed.pk})
    assert messages_of(response) == ["Window 9 is closed; choose another window."]
    assert WindowSession.objects.count() == 0


@pytest.mark.parametrize("value", ["foreign", "", "abc", "999999"])
def test_a_forged_window_is_refused(console, hall_b, value):
    foreign = WindowFactory(hall=hall_b, number=5)
    posted = foreign.pk if value == "foreign" else value
    response = post(console, "/console/sign-in/", {"window": posted})
    expected = (
        "This field is required."
        if value == ""
        else "Select a valid choice. That choice is not one of the available choices."
    )
    assert messages_of(response) == [expected]
    assert WindowSession.objects.count() == 0


def test_sign_out_closes_the_session(signed_in):
    response = post(signed_in, "/console/sign-out/")
    assert messages_of(response) == ["You have signed out of the window."]
    assert WindowSession.objects.open().count() == 0
    assert 'id="console-sign-in"' in response.content.decode()


def test_get_is_not_allowed_on_actions(signed_in):
    assert signed_in.get("/console/finish/").status_code == 405
    assert signed_in.get("/console/sign-out/").status_code == 405


# --- serving ---------------------------------------------------------------------------


def test_start_then_finish_with_three_items(signed_in, staff, window, items):
    response = start(signed_in, " a012 ", items)
    html = response.content.decode()
    assert messages_of(response) == []
    assert text_of(html, "serving-ticket") == "A012"
    assert Visit.objects.in_service().get().ticket_no == "A012"
    assert "disabled" not in re.search(r'<button[^>]*id="btn-finish"[^>]*>', html, re.S).group(0)

    response = post(
        signed_in, "/console/finish/", {"service_items": [i.pk for i in items], "items_shown": "1"}
    )
    assert messages_of(response) == ["Ticket A012 finished: 3 item(s)."]
    visit = Visit.objects.get()
    assert visit.status == Visit.Status.COMPLETED
    assert visit.item_count == 3
    assert VisitItem.objects.filter(visit=visit).count() == 3
    assert visit.service_date == timezone.localdate(visit.started_at)
    assert visit.finished_at >= visit.started_at
    assert (visit.window, visit.staff, visit.hall) == (window, staff, window.hall)
    html = response.content.decode()
    row = re.search(rf'id="visit-{visit.pk}".*?</tr>', html, re.S).group(0)
    assert 'class="visit-ticket">A012</th>' in row
    assert re.search(
        r'class="visit-items"><span[^>]*>3</span> 参保登记、缴费基数申报、社保卡补办</td>', row
    )
    assert 'class="visit-status">completed</td>' in row
    assert 'id="serving"' not in html
    assert Visit.objects.in_service().count() == 0


def test_finish_without_posted_items_keeps_the_started_ones(signed_in, items):
    start(signed_in, "A1", items[:2])
    post(signed_in, "/console/finish/")
    assert Visit.objects.get().item_count == 2


def test_unchecking_every_item_before_finishing_is_refused(signed_in, items):
    start(signed_in, "A1", items[:2])
    response = post(signed_in, "/console/finish/", {"items_shown": "1"})
    assert messages_of(response) == ["Pick at least one service item."]
    visit = Visit.objects.get()
    assert (visit.status, visit.item_count, visit.visit_items.count()) == ("in_service", 2, 2)
    assert text_of(response.content.decode(), "serving-ticket") == "A1"


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        (
            "/console/transfer/",
            Visit.Status.TRANSFERRED,
            "Ticket B7 transferred to another window.",
        ),
        ("/console/no-show/", Visit.Status.NO_SHOW, "Ticket B7 marked as no-show."),
    ],
)
def test_transfer_and_no_show(signed_in, items, url, status, message):
    start(signed_in, "b7", items[:1])
    response = post(signed_in, url, {"service_items": [items[0].pk], "items_shown": "1"})
    assert messages_of(response) == [message]
    visit = Visit.objects.get()
    assert (visit.ticket_no, visit.status, visit.item_count) == ("B7", status, 1)
    assert (visit.finished_at is None) == (status == Visit.Status.NO_SHOW)


@pytest.mark.parametrize("url", ["/console/finish/", "/console/transfer/", "/console/no-show/"])
def test_ending_without_a_start_is_refused(signed_in, items, url):
    response = post(
        signed_in, url, {"ticket_no": "A1", "service_items": [items[0].pk], "items_shown": "1"}
    )
    assert messages_of(response) == ["No ticket is being served; start one first."]
    assert Visit.objects.count() == 0


def test_starting_twice_is_refused(signed_in, items):
    start(signed_in, "A1", items[:1])
    response = start(signed_in, "A2", items[:1])
    assert messages_of(response) == ["Ticket A1 is being served; finish it first."]
    assert text_of(response.content.decode(), "serving-ticket") == "A1"


def test_starting_without_signing_in_is_refused(console, items):
    response = start(console, "A1", items[:1])
    assert messages_of(response) == ["Sign in to a window first."]
    assert Visit.objects.in_service().count() == 0


@pytest.mark.parametrize("ticket", ["", "A-012", "ABC", "票12", "A" * 21])
def test_bad_ticket_numbers_show_the_rule_and_keep_the_input(signed_in, items, ticket):
    response = start(signed_in, ticket, items[:1])
    assert messages_of(response) == ["A ticket number is 1-20 letters and digits, e.g. A012."]
    html = response.content.decode()
    assert 'id="serving"' not in html
    assert re.search(rf'id="item-{items[0].pk}"\s+checked', html)
    assert Visit.objects.count() == 0


def test_a_ticket_longer_than_the_field_is_refused(signed_in, items):
    response = start(signed_in, "A" * 41, items[:1])
    assert messages_of(response) == ["Ensure this value has at most 40 characters (it has 41)."]


def test_an_item_of_another_window_is_refused(signed_in, items):
    foreign = ServiceItemFactory(code="M01", name="医保报销")
    response = start(signed_in, "A1", [items[0], foreign])
    assert messages_of(response) == ["M01 医保报销 is not handled at Window 5."]
    assert Visit.objects.in_service().count() == 0


def test_an_unknown_item_id_is_refused(signed_in, items):
    response = post(signed_in, "/console/start/", {"ticket_no": "A1", "service_items": ["999999"]})
    assert messages_of(response) == [
        "Select a valid choice. 999999 is not one of the available choices."
    ]
    assert Visit.objects.in_service().count() == 0


def test_no_item_is_refused(signed_in):
    response = start(signed_in, "A1", [])
    assert messages_of(response) == ["Pick at least one service item."]


def test_a_colleagues_ticket_at_another_window_cannot_be_ended(signed_in, hall_a, items):
    colleague = StaffFactory(hall=hall_a)
    theirs = window_sign_in(staff=colleague, window=WindowFactory(hall=hall_a, number=6))
    visit = visit_start(session=theirs, ticket_no="A1", service_items=items[:1])
    response = post(signed_in, "/console/finish/", {"visit": str(visit.pk)})
    assert messages_of(response) == [
        "The console was out of date (changed in another window); check it again."
    ]
    response = post(signed_in, "/console/finish/")
    assert messages_of(response) == ["No ticket is being served; start one first."]
    assert Visit.objects.get().status == Visit.Status.IN_SERVICE


def test_the_visit_in_service_survives_a_new_browser(signed_in, staff, items, client):
    start(signed_in, "A7", items[:2])
    client.force_login(staff.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/console/").content.decode()
    assert text_of(html, "serving-ticket") == "A7"
    assert html.count("checked>") == 2
    response = post(client, "/console/finish/")
    assert messages_of(response) == ["Ticket A7 finished: 2 item(s)."]
    assert Visit.objects.get().status == Visit.Status.COMPLETED


def test_a_form_loaded_before_another_browser_ended_the_visit_is_refused(signed_in, items):
    start(signed_in, "A1", items[:1])
    stale = str(Visit.objects.get().pk)
    post(signed_in, "/console/finish/", {"visit": stale})
    start(signed_in, "A2", items[:1])
    response = post(signed_in, "/console/no-show/", {"visit": stale})
    assert messages_of(response) == [
        "The console was out of date (changed in another window); check it again."
    ]
    assert Visit.objects.get(ticket_no="A2").status == Visit.Status.IN_SERVICE


def test_sign_out_while_serving_transfers_the_ticket_when_asked(signed_in, items):
    start(signed_in, "A1", items[:1])
    visit = Visit.objects.get()
    response = post(signed_in, "/console/sign-out/", {"visit": str(visit.pk), "transfer": "1"})
    assert messages_of(response) == ["Ticket A1 transferred; you have signed out of the window."]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.TRANSFERRED
    assert visit.finished_at is not None
    assert WindowSession.objects.open().count() == 0


def test_sign_out_while_serving_is_refused(signed_in, items):
    start(signed_in, "A1", items[:1])
    response = post(signed_in, "/console/sign-out/")
    assert messages_of(response) == [
        "Finish ticket A1, transfer it or mark it as no-show before signing out."
    ]
    assert WindowSession.objects.open().count() == 1


def test_discard_puts_the_ticket_back(signed_in, items):
    start(signed_in, "A1", items[:1])
    response = post(signed_in, "/console/discard/")
    assert messages_of(response) == ["Ticket A1 was put back; nothing was recorded."]
    assert Visit.objects.count() == 0
    assert Visit.objects.in_service().count() == 0


# --- today's list and figures ------------------------------------------------------------


def test_todays_figures_and_list_are_exact(signed_in, staff, hall_a, window, items):
    today = timezone.localdate()

    def mine(ticket: str, hour: int, **kwargs) -> Visit:
        started = dt.datetime.combine(today, dt.time(hour), tzinfo=SHANGHAI)
        return VisitFactory(
            hall=hall_a,
            window=window,
            staff=staff,
            ticket_no=ticket,
            service_date=today,
            started_at=started,
            **kwargs,
        )

    rated = mine("A001", 9, item_count=3)
    mine("A002", 10, item_count=1)
    mine("A003", 11, item_count=2, status=Visit.Status.TRANSFERRED)
    VisitFactory(
        hall=hall_a,
        window=window,
        staff=staff,
        ticket_no="A004",
        service_date=today - dt.timedelta(days=1),
    )
    VisitFactory(
        hall=hall_a,
        window=window,
        staff=StaffFactory(hall=hall_a),
        ticket_no="A005",
        service_date=today,
    )
    for item in items:
        VisitItem.objects.create(visit=rated, service_item=item)
    Rating.objects.create(visit=rated, level=5, rated_at=rated.finished_at, source="tablet")

    html = signed_in.get("/console/").content.decode()

    assert text_of(html, "fig-visits") == "2"
    assert text_of(html, "fig-items") == "4"
    assert text_of(html, "fig-evaluation") == "50.00%"
    assert text_of(html, "fig-satisfaction") == "100.00%"
    assert text_of(html, "fig-others") == "1 rated · 1 transferred · 0 no-show"
    assert re.findall(r'<th scope="row" class="visit-ticket">(\w+)</th>', html) == [
        "A003",
        "A002",
        "A001",
    ]
    row = re.search(rf'id="visit-{rated.pk}".*?</tr>', html, re.S).group(0)
    assert "参保登记、缴费基数申报、社保卡补办" in row
    assert ">very satisfied</span>" in row
    assert re.search(r'class="visit-duration">8:00<', row)
    assert re.search(r'id="rating-level-5">.*?<td class="text-end">1</td>', html, re.S)
    assert re.search(r'id="rating-level-4">.*?<td class="text-end">0</td>', html, re.S)


def test_figures_without_visits_show_dashes(signed_in):
    html = signed_in.get("/console/").content.decode()
    assert text_of(html, "fig-visits") == "0"
    assert text_of(html, "fig-evaluation") == "—"
    assert text_of(html, "fig-satisfaction") == "—"
    assert 'class="text-secondary">No visits yet today.</td>' in html


def test_the_console_uses_local_static_files_only(signed_in):
    html = signed_in.get("/console/").content.decode()
    assert '<link rel="stylesheet" href="/static/windows/console.css">' in html
    assert '<script src="/static/windows/console.js"></script>' in html
    assert "http://" not in html and "https://" not in html
