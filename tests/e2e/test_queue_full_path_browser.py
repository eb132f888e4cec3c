"""A hall with no outside queue system runs on the portal alone (issue 14 item 7), in
Chromium: a citizen takes a ticket at the kiosk, the big screen counts it, the staff
member calls it at the console (the screen shows the call and announces it), serves and
finishes it, and the window's tablet rates it: the rating lands on that visit.
Screenshots along the way: var/screenshots/fullpath-*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import Rating
from evaluations.services.devices import tablet_issue_pairing_code
from tests.e2e.conftest import read_db, wait_until
from tests.windows.factories import (
    TEST_PASSWORD,
    DutyAssignmentFactory,
    HallFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
    ZoneFactory,
)
from windows.hall_devices import hall_device_issue_pairing_code
from windows.models import HallDevice, QueueCall, QueueCategory, Visit, WindowServiceItem
from windows.queue.defaults import default_categories_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ANNOUNCEMENTS = "window.__displayAnnouncements"


@pytest.fixture
def window():
    """Hall LH without any queue vendor: its 社保通办 zone with window 5 (two items), where
    王小明 is on duty today, the specialist window 20, and the default categories."""
    hall = HallFactory(
        code="LH", name="六合区社会保障综合服务大厅", supervision_phone="025-57501234"
    )
    zone = ZoneFactory(hall=hall, name="社保通办", kind="general")
    window = WindowFactory(hall=hall, number=5, zone=zone, name="社保通办5号窗口")
    WindowFactory(hall=hall, number=20, zone=None, name="失业特殊业务20号窗口")
    for code, name in [("SB001", "参保登记"), ("SB002", "社保卡补办")]:
        WindowServiceItem.objects.create(
            window=window, service_item=ServiceItemFactory(code=code, name=name)
        )
    staff = StaffFactory(
        hall=hall, badge_no="LH005", display_name="王小明", user=UserFactory(username="wangxm")
    )
    DutyAssignmentFactory(hall=hall, staff=staff, window=window, date=timezone.localdate())
    default_categories_create(hall=hall)
    QueueCategory.objects.filter(hall=hall).update(
        opens_at=dt.time(0, 0), closes_at=dt.time(23, 59, 59)
    )
    return window


def new_page(browser, viewport: dict):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


def pair_hall_screen(page, url: str, hall, kind: str) -> None:
    _device, code = hall_device_issue_pairing_code(hall=hall, kind=kind)
    page.goto(f"{url}/{kind}/pair/?code={code}")
    page.click("#pair-submit")
    expect(page).to_have_url(f"{url}/{kind}/")


def test_a_ticket_from_the_kiosk_is_called_served_and_rated_on_the_portal_alone(
    live_server, chromium_browser, screenshot_dir, window
):
    url, hall = live_server.url, window.hall
    shot = lambda page, name: page.screenshot(path=str(screenshot_dir / f"fullpath-{name}.png"))  # noqa: E731
    kiosk = new_page(chromium_browser, {"width": 1366, "height": 768})
    display = new_page(chromium_browser, {"width": 1920, "height": 1080})
    console = new_page(chromium_browser, {"width": 1366, "height": 900})
    tablet = new_page(chromium_browser, {"width": 1280, "height": 800})
    errors = []
    display.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # given the hall's screens paired: the kiosk, the big screen (a first click allows
        # its sound), and window 5's tablet; the staff member signed in at the console
        pair_hall_screen(kiosk, url, hall, HallDevice.Kind.KIOSK)
        pair_hall_screen(display, url, hall, HallDevice.Kind.DISPLAY)
        display.mouse.click(960, 540)
        expect(display.locator("#waiting-total")).to_have_text("0")
        console.goto(f"{url}/accounts/login/?next=/console/")
        console.fill("#id_username", "wangxm")
        console.fill("#id_password", TEST_PASSWORD)
        console.click("#login-submit")
        console.click("#sign-in-submit")
        expect(console.locator("#console-window")).to_have_text("5号窗口")
        expect(console.locator("html[data-console-queue-ready]")).to_have_count(1)
        _device, code = tablet_issue_pairing_code(window=window)
        tablet.goto(f"{url}/tablet/pair/?code={code}")
        tablet.click("#pair-submit")
        expect(tablet.locator("#screen-idle")).to_be_visible()
        expect(tablet.locator("#badge-name")).to_have_text("王小明")

        # when a citizen taps 社保通办 at the kiosk
        kiosk.click("#category-A")
        expect(kiosk.locator("#ticket-number")).to_have_text("A001")
        expect(kiosk.locator("#ticket-ahead")).to_have_text("0")
        shot(kiosk, "1-kiosk-ticket")
        ticket = read_db(lambda: Visit.objects.get(ticket_no="A001"))
        assert (ticket.status, ticket.category.prefix, ticket.window_id) == ("waiting", "A", None)

        # then the big screen counts it waiting, and the console too
        expect(display.locator("#waiting-total")).to_have_text("1", timeout=2_000)
        expect(display.locator('#waiting-list li[data-prefix="A"]')).to_contain_text("1")
        shot(display, "2-display-waiting")
        expect(console.locator("#queue-count-A .console-queue-n")).to_have_text("1")

        # when the staff member calls the next ticket (叫号)
        console.click("#btn-call")
        expect(console.locator("#called-ticket")).to_have_text("A001")
        shot(console, "3-console-called")

        # then the big screen shows the call within a second and announces it in Mandarin
        expect(display.locator("#calling-ticket")).to_have_text("A001", timeout=1_500)
        expect(display.locator("#calling-window")).to_have_text("5号窗口")
        expect(display.locator("#waiting-total")).to_have_text("0")
        wait_until(display, f"{ANNOUNCEMENTS}.length === 1", seconds=2)
        call = read_db(lambda: QueueCall.objects.get())
        announcement = display.evaluate(f"{ANNOUNCEMENTS}[0]")
        assert (announcement["id"], announcement["kind"], announcement["text"]) == (
            call.pk,
            "call",
            "请A001号到5号窗口办理",
        )
        assert announcement["method"] in ("speech", "chime")
        shot(display, "4-display-called")

        # when the citizen comes: service starts with two items (开始办理), then ends (办结)
        console.click("label[for] >> text=参保登记")
        console.click("label[for] >> text=社保卡补办")
        console.click("#btn-queue-start")
        expect(console.locator("#serving-ticket")).to_have_text("A001")
        shot(console, "5-console-serving")
        console.click("#btn-finish")
        expect(console.locator("#serving")).to_have_count(0)
        expect(console.locator("#visits tbody tr").first.locator(".visit-ticket")).to_have_text(
            "A001"
        )

        # then the window's tablet asks for a rating of A001, and the citizen gives 非常满意
        expect(tablet.locator("#screen-rate")).to_be_visible(timeout=3_000)
        expect(tablet.locator("#rate-ticket")).to_have_text("A001")
        shot(tablet, "6-tablet-rate")
        tablet.click("#level-5")
        expect(tablet.locator("#screen-thanks")).to_be_visible()
        shot(tablet, "7-tablet-thanks")

        # and the rating lands on that visit, whose times are all real and in order
        def rated():
            return Rating.objects.filter(visit__ticket_no="A001").select_related("visit").first()

        deadline = dt.datetime.now() + dt.timedelta(seconds=5)
        while read_db(rated) is None and dt.datetime.now() < deadline:
            tablet.wait_for_timeout(100)
        rating = read_db(rated)
        visit = rating.visit
        assert (rating.level, visit.pk, visit.status, visit.item_count) == (
            5,
            ticket.pk,
            "completed",
            2,
        )
        assert (visit.window_id, visit.staff.badge_no, visit.recalls) == (window.pk, "LH005", 0)
        assert visit.issued_at < visit.called_at <= visit.started_at < visit.finished_at
        assert visit.waiting_time == visit.called_at - visit.issued_at

        # and the big screen's public figures (好差评公示) count it for window 5
        cells = display.locator('#ratings-rows tr[data-window="5"] td.num')
        expect(cells).to_have_text(["1", "100.00%", "100.00%"], timeout=3_000)
        shot(display, "8-display-rated")
        assert errors == []
    finally:
        for page in (kiosk, display, console, tablet):
            page.context.close()
