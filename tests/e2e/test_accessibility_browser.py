"""axe-core on the citizens' screens (issue 14 item 6): the ticket kiosk, the booking page,
the hall's big screen and the rating tablet, in the normal and the large-text mode, have
no serious or critical violation (tests/e2e/axe.py)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from evaluations.services.devices import tablet_issue_pairing_code
from tests.e2e.axe import assert_accessible, axe_violations, describe
from tests.e2e.conftest import read_db
from tests.evaluations.tablet_factories import finished_visit
from tests.windows.factories import HallFactory, StaffFactory, WindowFactory, ZoneFactory
from windows.hall_devices import hall_device_issue_pairing_code
from windows.models import AppointmentSlot, HallDevice, QueueCategory
from windows.queue.defaults import default_categories_create
from windows.queue.services import ticket_call_next, ticket_issue
from windows.services import window_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MODES = ("normal", "large")


@pytest.fixture
def hall():
    """Hall LH: three general zones and a specialist window, the default categories open
    all day with booking slots, window 1 signed in, and a ticket called to it."""
    hall = HallFactory(
        code="LH", name="六合区社会保障综合服务大厅", supervision_phone="025-57501234"
    )
    for order, name in enumerate(("社保通办", "医保通办", "企保待遇通办")):
        zone = ZoneFactory(hall=hall, name=name, kind="general", sort_order=order)
        WindowFactory(hall=hall, number=order + 1, zone=zone, name=f"{name}{order + 1}号窗口")
    WindowFactory(hall=hall, number=20, zone=None, name="失业特殊业务20号窗口")
    default_categories_create(hall=hall)
    QueueCategory.objects.filter(hall=hall).update(
        opens_at=dt.time(0, 0), closes_at=dt.time(23, 59, 59)
    )
    for category in QueueCategory.objects.filter(hall=hall):
        for hour in (9, 10, 14):
            AppointmentSlot.objects.create(
                category=category,
                starts_at=dt.time(hour, 0),
                ends_at=dt.time(hour, 30),
                capacity=4,
            )
    session = window_sign_in(
        staff=StaffFactory(hall=hall, badge_no="LH001", display_name="王小明"),
        window=hall.windows.get(number=1),
    )
    category = QueueCategory.objects.get(hall=hall, prefix="A")
    ticket_issue(category=category)
    ticket_issue(category=category)
    ticket_call_next(session=session)
    return hall


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def pair_hall_screen(page, live_server, hall, kind: str) -> None:
    _device, code = hall_device_issue_pairing_code(hall=hall, kind=kind)
    page.goto(f"{live_server.url}/{kind}/pair/?code={code}")
    page.click("#pair-submit")
    expect(page).to_have_url(f"{live_server.url}/{kind}/")


@pytest.mark.parametrize("mode", MODES)
def test_the_kiosk_has_no_serious_violation(live_server, page, hall, mode):
    pair_hall_screen(page, live_server, hall, HallDevice.Kind.KIOSK)
    page.wait_for_load_state("load")  # the toggle's script has run
    if mode == "large":
        page.click("#large-toggle")
        expect(page.locator("html")).to_have_class("kiosk-html kiosk-large")
    expect(page.locator(".kiosk-category")).to_have_count(4)
    assert_accessible(page, f"the kiosk's categories ({mode})")

    page.fill("#id_checkin_code", "WRONG123")
    page.click("#checkin-submit")
    expect(page.locator("#checkin-errors")).to_be_visible()
    assert_accessible(page, f"the kiosk's check-in with an unknown code ({mode})")

    page.click("#category-B")
    expect(page.locator("#ticket-number")).to_have_text("B001")
    if mode == "large":
        expect(page.locator("html")).to_have_class("kiosk-html kiosk-large")
    assert_accessible(page, f"the kiosk's ticket ({mode})")


@pytest.mark.parametrize("mode", MODES)
def test_the_booking_page_has_no_serious_violation(live_server, page, hall, mode):
    page.goto(f"{live_server.url}/booking/LH/")
    page.wait_for_load_state("load")
    if mode == "large":
        page.click("#booking-large")
        expect(page.locator("html")).to_have_class("booking-large")
    expect(page.locator("#booking-form")).to_be_visible()
    assert_accessible(page, f"the booking page ({mode})")

    # a wrong phone: the form again, with the error under its field
    slot = page.locator("#booking-slots input.btn-check:not([disabled])").first
    page.click(f"label[for='{slot.get_attribute('id')}']")
    page.fill("#id_name", "张三")
    page.fill("#id_phone", "12345")
    page.fill("#id_id_last4", "123x")
    page.click("#booking-submit")
    expect(page.locator("#id_phone-error")).to_be_visible()
    assert_accessible(page, f"the booking page with an error ({mode})")

    # booked: the confirmation with its code, then the cancel form
    page.fill("#id_phone", "13812345678")
    page.click("#booking-submit")
    expect(page).to_have_url(f"{live_server.url}/booking/LH/done/")
    expect(page.locator("#booking-code")).not_to_be_empty()
    if mode == "large":
        expect(page.locator("html")).to_have_class("booking-large")
    assert_accessible(page, f"the booking confirmation ({mode})")

    page.click("#booking-done-cancel")
    expect(page).to_have_url(re.compile(r"/booking/LH/cancel/"))
    assert_accessible(page, f"the booking page's cancel form ({mode})")


@pytest.mark.parametrize("mode", MODES)
def test_the_big_screen_has_no_serious_violation(live_server, page, hall, mode):
    page.set_viewport_size({"width": 1920, "height": 1080})
    pair_hall_screen(page, live_server, hall, HallDevice.Kind.DISPLAY)
    page.goto(f"{live_server.url}/display/?mode={mode}")
    expect(page.locator("body")).to_have_attribute("data-mode", mode)
    expect(page.locator("#calling-ticket")).to_have_text("A001")
    assert_accessible(page, f"the big screen ({mode})")


TABLET_MODES = ["normal", "large"]


@pytest.mark.parametrize("mode", TABLET_MODES)
def test_the_rating_tablet_has_no_serious_violation(live_server, page, hall, mode):
    page.set_viewport_size({"width": 1280, "height": 800})
    window = hall.windows.get(number=2)
    window_sign_in(
        staff=StaffFactory(hall=hall, badge_no="LH002", display_name="李华"), window=window
    )
    _device, code = tablet_issue_pairing_code(window=window)
    page.goto(f"{live_server.url}/tablet/pair/?code={code}")
    page.click("#pair-submit")
    expect(page).to_have_url(f"{live_server.url}/tablet/")
    page.wait_for_load_state("load")
    expect(page.locator("#badge-name")).to_have_text("李华")
    if mode == "large":
        page.click("#large-toggle")
        expect(page.locator("body")).to_have_class(re.compile(r"\btablet-large\b"))
    found = {}  # every screen's violations, so that a failure names them all
    expect(page.locator("#screen-idle")).to_be_visible()
    found["the badge card"] = axe_violations(page)

    read_db(lambda: finished_visit(window, seconds_ago=0, ticket_no="A027"))
    expect(page.locator("#screen-rate")).to_be_visible(timeout=3_000)
    found["the five levels"] = axe_violations(page)

    page.click("#level-2")
    expect(page.locator("#screen-reasons")).to_be_visible()
    found["the reasons"] = axe_violations(page)

    failures = {screen: describe(v) for screen, v in found.items() if v}
    assert failures == {}, "\n".join(
        f"axe on the tablet, {s} ({mode}):\n{d}" for s, d in failures.items()
    )
