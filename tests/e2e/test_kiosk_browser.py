"""The ticket kiosk in Chromium: paired, a tap gives a ticket (one, however many taps), its
80 mm print, the large-text mode; and the manager's list of business categories."""

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from tests.e2e.conftest import read_db
from tests.windows.factories import (
    TEST_PASSWORD,
    HallFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from tests.windows.test_queue_admin import grant
from windows.hall_devices import hall_device_issue_pairing_code
from windows.models import HallDevice, QueueCategory, Visit
from windows.queue.defaults import default_categories_create
from windows.queue.services import ticket_issue
from windows.services import window_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LANDSCAPE = {"width": 1366, "height": 768}
PORTRAIT = {"width": 1080, "height": 1920}
RECEIPT_WIDTH = 302  # 80 mm at 96 px per inch


@pytest.fixture
def hall():
    hall = HallFactory(
        code="LH", name="六合区社会保障综合服务大厅", supervision_phone="025-57501234"
    )
    for order, name in enumerate(("社保通办", "医保通办", "企保待遇通办")):
        zone = ZoneFactory(hall=hall, name=name, kind="general", sort_order=order)
        WindowFactory(hall=hall, number=order + 1, zone=zone)
    WindowFactory(hall=hall, number=20, zone=None)
    default_categories_create(hall=hall)
    # Open all day, whenever the test runs.
    QueueCategory.objects.filter(hall=hall).update(
        opens_at=dt.time(0, 0), closes_at=dt.time(23, 59, 59)
    )
    window_sign_in(
        staff=StaffFactory(hall=hall, badge_no="LH001"), window=hall.windows.get(number=1)
    )
    return hall


def zh(message: str) -> str:
    """The message as the Chinese kiosk shows it (the catalogue's, once merged)."""
    with translation.override("zh-hans"):
        return gettext(message)


def zh_waiting(count: int) -> str:
    with translation.override("zh-hans"):
        return ngettext("%(waiting)s waiting", "%(waiting)s waiting", count) % {"waiting": count}


def countdown() -> re.Pattern:
    """The ticket page's countdown, at any second."""
    parts = zh("Back to the categories in %(seconds)s s").split("%(seconds)s")
    return re.compile(r"\d+".join(re.escape(part) for part in parts))


def kiosk_page(browser, *, locale: str = "zh-CN", viewport=LANDSCAPE):
    context = browser.new_context(locale=locale, timezone_id="Asia/Shanghai", viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


def pair(page, live_server, hall) -> None:
    _device, code = hall_device_issue_pairing_code(hall=hall, kind=HallDevice.Kind.KIOSK)
    page.goto(f"{live_server.url}/kiosk/pair/?code={code}")
    expect(page.locator("#id_code")).to_have_value(code)
    page.click("#pair-submit")
    expect(page).to_have_url(f"{live_server.url}/kiosk/")


def test_a_citizen_takes_a_ticket_prints_it_and_reads_it_large(
    live_server, chromium_browser, screenshot_dir, hall
):
    page = kiosk_page(chromium_browser)
    try:
        # given a paired kiosk showing the hall's four categories
        pair(page, live_server, hall)
        expect(page.locator(".kiosk-category")).to_have_count(4)
        expect(page.locator("#category-A")).to_contain_text("社保通办")
        expect(page.locator("#large-toggle")).to_have_text(zh("Large text"))
        expect(page.locator("#kiosk-clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        page.screenshot(path=str(screenshot_dir / "kiosk-zh.png"))
        page.set_viewport_size(PORTRAIT)
        page.screenshot(path=str(screenshot_dir / "kiosk-portrait-zh.png"))
        page.set_viewport_size(LANDSCAPE)

        # when the citizen taps 社保通办 three times in a row
        button = page.locator("#category-A")
        button.evaluate("b => { b.click(); b.click(); b.click(); }")

        # then one ticket, A001, shown big with what is ahead
        expect(page.locator("#ticket-number")).to_have_text("A001")
        expect(page.locator("#ticket-category")).to_have_text("社保通办")
        expect(page.locator("#ticket-ahead")).to_have_text("0")
        expect(page.locator("#ticket-wait")).to_have_text(zh("You are next"))
        expect(page.locator("#ticket-phone")).to_have_text(
            f"{zh('Supervision hotline')} 025-57501234"
        )
        tickets = read_db(lambda: list(Visit.objects.values_list("ticket_no", "status")))
        assert tickets == [("A001", "waiting")]
        expect(page.locator("#ticket-countdown")).to_have_text(countdown())
        page.screenshot(path=str(screenshot_dir / "kiosk-ticket-zh.png"))

        # the print: an 80 mm receipt with the ticket alone
        page.emulate_media(media="print")
        page.set_viewport_size({"width": RECEIPT_WIDTH, "height": 600})
        expect(page.locator(".kiosk-header")).to_be_hidden()
        expect(page.locator("#ticket-print")).to_be_hidden()
        expect(page.locator("#ticket-number")).to_be_visible()
        box = page.locator("#ticket").bounding_box()
        assert box["width"] <= RECEIPT_WIDTH
        page.screenshot(path=str(screenshot_dir / "kiosk-print.png"), full_page=True)
        page.emulate_media(media="screen")
        page.set_viewport_size(LANDSCAPE)

        # a tap on the ticket goes back to the categories, where A has one waiting
        page.locator("#ticket-number").click()
        expect(page.locator("#category-A")).to_contain_text(zh_waiting(1))

        # the large-text mode, kept across reloads
        page.click("#large-toggle")
        expect(page.locator("html")).to_have_class("kiosk-html kiosk-large")
        page.reload()
        expect(page.locator("#large-toggle")).to_have_attribute("aria-pressed", "true")
        font = page.locator(".kiosk-category-name").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert font >= 40
        page.screenshot(path=str(screenshot_dir / "kiosk-large-zh.png"))
        page.set_viewport_size(PORTRAIT)
        page.screenshot(path=str(screenshot_dir / "kiosk-large-portrait-zh.png"))
        page.set_viewport_size(LANDSCAPE)

        # a second ticket, and the large ticket
        page.click("#category-A")
        expect(page.locator("#ticket-number")).to_have_text("A002")
        expect(page.locator("#ticket-ahead")).to_have_text("1")
        expect(page.locator("#ticket-countdown")).to_have_text(countdown())
        page.screenshot(path=str(screenshot_dir / "kiosk-ticket-large-zh.png"))
        # back by itself after 15 s: the countdown says so
        expect(page.locator("#ticket-countdown")).to_have_text(countdown())
        page.click("#ticket-done")
        expect(page.locator("#categories")).to_be_visible()
    finally:
        page.context.close()


def test_the_kiosk_in_english_and_a_refusal(live_server, chromium_browser, screenshot_dir, hall):
    page = kiosk_page(chromium_browser, locale="en-US")
    try:
        pair(page, live_server, hall)
        expect(page.locator("#large-toggle")).to_have_text("Large text")
        page.screenshot(path=str(screenshot_dir / "kiosk-en.png"))

        QueueCategory.objects.filter(hall=hall, prefix="B").update(is_active=False)
        page.click("#category-B")

        expect(page.locator("#kiosk-error")).to_have_text("医保通办 takes no tickets now.")
        assert read_db(lambda: Visit.objects.count()) == 0

        # offline: the kiosk says so and a tap leaves the page as it is
        page.context.set_offline(True)
        expect(page.locator("#kiosk-offline")).to_be_visible()
        page.click("#category-A")
        expect(page.locator("#categories")).to_be_visible()
        expect(page.locator("#kiosk-busy")).to_be_hidden()
        page.context.set_offline(False)
        expect(page.locator("#kiosk-offline")).to_be_hidden()
        page.click("#category-A")
        expect(page.locator("#ticket-number")).to_have_text("A001")
        # the way back waits for the network too
        page.context.set_offline(True)
        page.click("#ticket-done")
        page.locator("#ticket").click()
        page.wait_for_timeout(500)
        expect(page.locator("#ticket-number")).to_be_visible()
        page.context.set_offline(False)
        expect(page.locator("#categories")).to_be_visible(timeout=8_000)
        assert read_db(lambda: list(Visit.objects.values_list("ticket_no", flat=True))) == ["A001"]
    finally:
        page.context.close()


def test_an_unpaired_browser_sees_the_pairing_page_only(live_server, browser_page, hall):
    page = browser_page

    page.goto(f"{live_server.url}/kiosk/")

    expect(page).to_have_url(f"{live_server.url}/kiosk/pair/")
    expect(page.locator("body")).not_to_contain_text("社保通办")
    expect(page.locator("body")).not_to_contain_text("六合区")


def test_the_manager_lists_the_business_categories(live_server, browser_page, screenshot_dir, hall):
    manager = grant(make_manager(hall, "queue_manager"))
    a, b = QueueCategory.objects.filter(hall=hall, prefix__in="AB").order_by("prefix")
    for category in (a, a, a, b):
        ticket_issue(category=category)
    Visit.objects.filter(ticket_no="A001").update(status=Visit.Status.ABANDONED)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/windows/queuecategory/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")

    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    expect(page.locator("#result_list tbody tr").first.locator(".field-issued_today")).to_have_text(
        "3"
    )
    expect(
        page.locator("#result_list tbody tr").first.locator(".field-waiting_today")
    ).to_have_text("2")
    expect(page.locator("#create-default-categories")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "admin-queue-categories-zh.png"), full_page=True)
