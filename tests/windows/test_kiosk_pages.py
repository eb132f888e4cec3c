"""The ticket kiosk's pages: pairing, the categories, one tap one ticket, refusals."""

import datetime as dt

import pytest
from django.core.cache import cache

from tests.windows.factories import HallFactory, StaffFactory, WindowFactory, ZoneFactory
from tests.windows.kiosk_factories import (
    DISPLAY_COOKIE,
    KIOSK_COOKIE,
    as_kiosk,
    at,
    nonce_of,
    paired,
    set_clock,
)
from windows.hall_devices import (
    hall_device_issue_pairing_code,
    hall_device_revoke,
    hash_secret,
)
from windows.models import HallDevice, QueueCategory, TicketCounter, Visit
from windows.queue.defaults import default_categories_create
from windows.services import window_sign_in

pytestmark = pytest.mark.django_db
WRONG = "The pairing code is wrong or has expired."


@pytest.fixture
def clock(monkeypatch):
    set_clock(monkeypatch, at(9, 0))


@pytest.fixture
def hall(hall_a):
    hall_a.supervision_phone = "025-12345678"
    hall_a.save()
    zone = ZoneFactory(hall=hall_a, name="社保通办", kind="general")
    WindowFactory(hall=hall_a, number=1, zone=zone)
    WindowFactory(hall=hall_a, number=20, zone=None)
    default_categories_create(hall=hall_a)
    return hall_a


@pytest.fixture
def kiosk(hall, clock):
    return paired(hall, label="入口取号机")


@pytest.fixture
def client_a(en_client, kiosk):
    return as_kiosk(en_client, kiosk[1])


def category(hall, prefix: str = "A") -> QueueCategory:
    return QueueCategory.objects.get(hall=hall, prefix=prefix)


def tap(client, category_id: int, nonce: str | None = None):
    if nonce is None:
        nonce = nonce_of(client.get("/kiosk/").content.decode())
    return client.post("/kiosk/tickets/", {"category": category_id, "nonce": nonce})


# ---- pairing ----


def test_the_pairing_link_fills_in_the_code_and_pairs_nothing(en_client, hall):
    device, code = hall_device_issue_pairing_code(hall=hall, kind=HallDevice.Kind.KIOSK)

    response = en_client.get(f"/kiosk/pair/?code={code}")

    assert response.status_code == 200
    assert f'value="{code}"' in response.content.decode()
    assert KIOSK_COOKIE not in response.cookies
    device.refresh_from_db()
    assert (device.token_hash, device.paired_at) == (None, None)


def test_pairing_sets_the_kiosk_cookie_and_opens_the_categories(en_client, hall):
    device, code = hall_device_issue_pairing_code(hall=hall, kind=HallDevice.Kind.KIOSK)

    response = en_client.post("/kiosk/pair/", {"code": f"{code[:4]} {code[4:]}"})

    assert response.status_code == 302
    assert response["Location"] == "/kiosk/"
    cookie = response.cookies[KIOSK_COOKIE]
    assert (cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (
        True,
        "Lax",
        5 * 365 * 24 * 3600,
    )
    device.refresh_from_db()
    assert device.is_paired
    assert device.token_hash == hash_secret(cookie.value)
    page = en_client.get("/kiosk/")
    assert page.status_code == 200
    assert "甲大厅" in page.content.decode()


def _wrong(client, device, code):
    return "00000000" if code != "00000000" else "11111111"


def _expired(client, device, code):
    HallDevice.objects.filter(pk=device.pk).update(pairing_expires_at=at(8, 44))
    return code


def _used(client, device, code):
    client.post("/kiosk/pair/", {"code": code})
    client.cookies.clear()
    return code


def _revoked(client, device, code):
    hall_device_revoke(device=device)
    return code


def _display_code(client, device, code):
    """A big screen's code does not pair a kiosk."""
    _display, display_code = hall_device_issue_pairing_code(
        hall=device.hall, kind=HallDevice.Kind.DISPLAY
    )
    return display_code


@pytest.mark.parametrize("case", ["wrong", "empty", "expired", "used", "revoked", "display_code"])
def test_a_bad_code_is_refused_and_pairs_nothing(english, en_client, hall, clock, case):
    device, code = hall_device_issue_pairing_code(hall=hall, kind=HallDevice.Kind.KIOSK)
    code = {
        "wrong": _wrong,
        "empty": lambda *_: "",
        "expired": _expired,
        "used": _used,
        "revoked": _revoked,
        "display_code": _display_code,
    }[case](en_client, device, code)
    paired_before = HallDevice.objects.filter(token_hash__isnull=False).count()

    response = en_client.post("/kiosk/pair/", {"code": code})

    assert response.status_code == 400
    message = "This field is required." if case == "empty" else WRONG
    assert response.context["form"].errors == {"code": [message]}
    assert KIOSK_COOKIE not in response.cookies
    assert HallDevice.objects.filter(token_hash__isnull=False).count() == paired_before


def test_ten_wrong_codes_and_the_address_is_refused_even_a_right_one(english, en_client, hall):
    device, code = hall_device_issue_pairing_code(hall=hall, kind=HallDevice.Kind.KIOSK)
    statuses = [en_client.post("/kiosk/pair/", {"code": "00000000"}).status_code for _ in range(10)]

    refused = en_client.post("/kiosk/pair/", {"code": code})

    assert statuses == [400] * 10
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert refused.context["form"].errors == {
        "code": ["Too many wrong pairing codes from this network. Try again in 15 minutes."]
    }
    device.refresh_from_db()
    assert device.token_hash is None


@pytest.mark.parametrize("who", ["nobody", "display", "revoked", "garbage"])
def test_the_kiosk_needs_a_paired_kiosk_and_shows_no_hall_otherwise(en_client, hall, who):
    if who == "display":
        _display, token = paired(hall, HallDevice.Kind.DISPLAY)
        en_client.cookies[DISPLAY_COOKIE] = token
        en_client.cookies[KIOSK_COOKIE] = token  # a display's token in the kiosk's cookie
    elif who == "revoked":
        device, token = paired(hall)
        hall_device_revoke(device=device)
        as_kiosk(en_client, token)
    elif who == "garbage":
        as_kiosk(en_client, "not-a-token")
    category_id = category(hall).pk

    page = en_client.get("/kiosk/")
    post = en_client.post("/kiosk/tickets/", {"category": category_id, "nonce": "x"})

    assert (page.status_code, page["Location"]) == (302, "/kiosk/pair/")
    assert (post.status_code, post["Location"]) == (302, "/kiosk/pair/")
    assert Visit.objects.count() == 0
    pair_page = en_client.get("/kiosk/pair/").content.decode()
    assert "甲大厅" not in pair_page and "社保通办" not in pair_page


# ---- the categories ----


def test_the_categories_are_big_buttons_with_their_waiting_counts(english, client_a, hall):
    QueueCategory.objects.create(hall=hall, name="停用业务", prefix="Z", is_active=False)
    tap(client_a, category(hall).pk)

    response = client_a.get("/kiosk/")

    html = response.content.decode()
    queues = [
        (q["category"].prefix, q["waiting"], q["open_now"]) for q in response.context["queues"]
    ]
    assert queues == [("A", 1, True), ("B", 0, True)]
    assert 'id="category-A"' in html and 'id="category-Z"' not in html
    assert "1 waiting" in html and "0 waiting" in html
    assert 'id="large-toggle"' in html and "Large text" in html
    assert "Supervision hotline 025-12345678" in html
    assert "no-store" in response["Cache-Control"]  # a fresh nonce each time


def test_a_closed_category_says_its_hours(english, en_client, hall, monkeypatch):
    set_clock(monkeypatch, at(18, 0))
    _device, token = paired(hall)

    html = as_kiosk(en_client, token).get("/kiosk/").content.decode()

    assert html.count("Tickets from 08:30 to 17:00") == 2


# ---- issuing ----


def test_taps_issue_the_days_numbers_in_order(english, client_a, hall):
    a = category(hall, "A")

    first = tap(client_a, a.pk)
    second = tap(client_a, a.pk)
    other = tap(client_a, category(hall, "B").pk)

    assert [r.status_code for r in (first, second, other)] == [200, 200, 200]
    assert [r.context["visit"].ticket_no for r in (first, second, other)] == [
        "A001",
        "A002",
        "B001",
    ]
    visits = Visit.objects.order_by("pk")
    assert [(v.ticket_no, v.status, v.category.prefix, v.issued_at) for v in visits] == [
        ("A001", "waiting", "A", at(9, 0)),
        ("A002", "waiting", "A", at(9, 0)),
        ("B001", "waiting", "B", at(9, 0)),
    ]
    html = second.content.decode()
    assert '<p class="ticket-number" id="ticket-number">A002</p>' in html
    assert '<dd id="ticket-ahead">1</dd>' in html
    assert '<dd id="ticket-issued">2026-03-02 09:00</dd>' in html
    assert "No window is serving this business now" in html
    assert "甲大厅" in html and "Supervision hotline 025-12345678" in html
    assert '<p class="ticket-category" id="ticket-category">社保通办</p>' in html


def test_the_ticket_estimates_the_wait_from_the_open_windows(english, client_a, hall):
    window = hall.windows.get(number=1)
    window_sign_in(staff=StaffFactory(hall=hall, badge_no="S1"), window=window, now=at(8, 30))
    a = category(hall, "A")
    tap(client_a, a.pk)
    tap(client_a, a.pk)

    third = tap(client_a, a.pk)

    position = third.context["position"]
    assert (position.ahead, position.windows_open, position.estimated_wait) == (
        2,
        1,
        dt.timedelta(minutes=16),
    )
    assert '<dd id="ticket-wait">about 16 minutes</dd>' in third.content.decode()


def test_a_double_tap_with_the_same_nonce_issues_one_ticket(english, client_a, hall):
    a = category(hall, "A")
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())

    first = tap(client_a, a.pk, nonce)
    again = tap(client_a, a.pk, nonce)
    other_category = tap(client_a, category(hall, "B").pk, nonce)

    assert [r.context["visit"].ticket_no for r in (first, again, other_category)] == [
        "A001",
        "A001",
        "A001",
    ]
    assert list(Visit.objects.values_list("ticket_no", flat=True)) == ["A001"]
    assert TicketCounter.objects.get(category=a).last == 1


def test_a_second_post_while_the_first_is_issuing_waits_for_its_ticket(
    english, client_a, hall, kiosk, monkeypatch
):
    from windows.kiosk import views

    monkeypatch.setattr(views, "SAME_NONCE_WAIT_SECONDS", 0.2)
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())
    cache.add(views._nonce_key(nonce), 0)  # a first post has claimed it, not yet issued

    response = tap(client_a, category(hall).pk, nonce)

    assert (response.status_code, response["Location"]) == (302, "/kiosk/")
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    "nonce",
    ["", "forged", "other-kiosk", "expired"],
)
def test_a_bad_nonce_issues_nothing(english, client_a, hall, monkeypatch, nonce):
    from windows.kiosk import views

    if nonce == "other-kiosk":
        other, _token = paired(hall)
        nonce = views.new_nonce(other)
    elif nonce == "expired":
        nonce = nonce_of(client_a.get("/kiosk/").content.decode())
        monkeypatch.setattr(views, "NONCE_MAX_AGE", -1)

    response = tap(client_a, category(hall).pk, nonce)

    if nonce == "":
        assert response.status_code == 404
    else:
        assert response.status_code == 400
        assert response.context["error"] == (
            "This page was open too long. Please tap your choice again."
        )
    assert Visit.objects.count() == 0


def test_after_a_refusal_the_same_nonce_can_issue(english, client_a, hall):
    a = category(hall, "A")
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())
    QueueCategory.objects.filter(pk=a.pk).update(is_active=False)
    refused = tap(client_a, a.pk, nonce)
    QueueCategory.objects.filter(pk=a.pk).update(is_active=True)

    issued = tap(client_a, a.pk, nonce)

    assert refused.status_code == 400
    assert issued.context["visit"].ticket_no == "A001"


def _inactive(hall, monkeypatch):
    QueueCategory.objects.filter(hall=hall, prefix="A").update(is_active=False)
    return "社保通办 takes no tickets now."


def _after_hours(hall, monkeypatch):
    set_clock(monkeypatch, at(17, 0))
    return "Tickets for 社保通办 are issued from 08:30 to 17:00."


def _before_hours(hall, monkeypatch):
    set_clock(monkeypatch, at(8, 29))
    return "Tickets for 社保通办 are issued from 08:30 to 17:00."


def _full(hall, monkeypatch):
    a = category(hall, "A")
    a.daily_capacity = 1
    a.save()
    Visit.objects.create(
        hall=hall,
        ticket_no="A001",
        issued_at=at(8, 40),
        service_date=at(8, 40).date(),
        category=a,
        status=Visit.Status.WAITING,
        item_count=1,
    )
    TicketCounter.objects.create(category=a, day=at(8, 40).date(), last=1)
    return "Today's tickets for 社保通办 are all given out."


@pytest.mark.parametrize(
    "refusal", [_inactive, _after_hours, _before_hours, _full], ids=lambda f: f.__name__
)
def test_a_refused_tap_says_why_and_stores_nothing(english, client_a, hall, monkeypatch, refusal):
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())
    message = refusal(hall, monkeypatch)
    visits_before = list(Visit.objects.values_list("ticket_no", flat=True))
    counters_before = list(TicketCounter.objects.values_list("day", "last"))

    response = tap(client_a, category(hall, "A").pk, nonce)

    assert response.status_code == 400
    assert response.context["error"] == message
    assert f'<div class="kiosk-error" id="kiosk-error" role="alert">{message}</div>' in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert list(Visit.objects.values_list("ticket_no", flat=True)) == visits_before
    assert list(TicketCounter.objects.values_list("day", "last")) == counters_before


def test_another_halls_category_is_not_found(english, client_a, hall, hall_b):
    default_categories_create(hall=hall_b)
    other = QueueCategory.objects.get(hall=hall_b, prefix="A")

    response = tap(client_a, other.pk)

    assert response.status_code == 404
    assert Visit.objects.count() == 0


def test_a_kiosk_of_hall_b_sees_and_issues_only_hall_bs(english, en_client, hall, clock):
    hall_c = HallFactory(code="HC", name="丙大厅")
    QueueCategory.objects.create(hall=hall_c, name="丙业务", prefix="C")
    _device, token = paired(hall_c)
    as_kiosk(en_client, token)

    html = en_client.get("/kiosk/").content.decode()
    issued = tap(en_client, QueueCategory.objects.get(hall=hall_c).pk)
    refused = tap(en_client, category(hall, "A").pk)

    assert "丙业务" in html and "社保通办" not in html and "甲大厅" not in html
    assert issued.context["visit"].ticket_no == "C001"
    assert refused.status_code == 404
    assert list(Visit.objects.values_list("hall__code", "ticket_no")) == [("HC", "C001")]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_issuing_takes_only_a_post(client_a, hall, method):
    response = getattr(client_a, method)("/kiosk/tickets/")

    assert response.status_code == 405
    assert Visit.objects.count() == 0


def test_issuing_needs_the_csrf_token(hall, kiosk):
    from django.test import Client

    client = as_kiosk(Client(enforce_csrf_checks=True), kiosk[1])
    nonce = nonce_of(client.get("/kiosk/").content.decode())

    response = client.post("/kiosk/tickets/", {"category": category(hall).pk, "nonce": nonce})

    assert response.status_code == 403
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("category_id", ["", "abc", "-1", "0"])
def test_a_malformed_tap_is_not_found(client_a, hall, category_id):
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())

    response = client_a.post("/kiosk/tickets/", {"category": category_id, "nonce": nonce})

    assert response.status_code == 404
    assert Visit.objects.count() == 0


def test_a_hall_without_active_categories_says_to_ask_the_staff(english, client_a, hall):
    QueueCategory.objects.filter(hall=hall).update(is_active=False)

    html = client_a.get("/kiosk/").content.decode()

    assert 'class="kiosk-category' not in html
    assert (
        "No business takes tickets at this kiosk now. Please ask the staff at the guidance desk."
    ) in html


def test_a_kiosk_issues_at_most_thirty_tickets_a_minute(english, client_a, hall):
    a = category(hall, "A")
    statuses = [tap(client_a, a.pk).status_code for _ in range(30)]
    nonce = nonce_of(client_a.get("/kiosk/").content.decode())

    refused = tap(client_a, a.pk, nonce)

    assert statuses == [200] * 30
    assert refused.status_code == 429
    assert refused.context["error"] == (
        "This kiosk is issuing too many tickets. Please wait a minute."
    )
    assert Visit.objects.count() == 30
