"""Calling at the window: a staff member calls the next ticket, recalls it, serves and
finishes it; a second browser of the same window follows without reloading."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import read_db
from tests.windows.factories import (
    TEST_PASSWORD,
    DutyAssignmentFactory,
    HallFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
)
from windows.models import QueueCategory, Visit, WindowServiceItem
from windows.queue.services import ticket_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1366, "height": 900}


def category(hall, prefix: str, name: str, *windows, order: int) -> QueueCategory:
    created = QueueCategory.objects.create(
        hall=hall,
        name=name,
        prefix=prefix,
        sort_order=order,
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 59, 59),
    )
    created.windows.add(*windows)
    return created


def issue(category: QueueCategory, minutes_ago: int, lane: str = Visit.Lane.NORMAL) -> Visit:
    visit = ticket_issue(category=category, lane=lane)
    issued = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Visit.objects.filter(pk=visit.pk).update(issued_at=issued)
    return visit


@pytest.fixture
def queue_window():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    staff = StaffFactory(
        hall=hall, badge_no="LH005", display_name="王小明", user=UserFactory(username="wangxm")
    )
    other = WindowFactory(hall=hall, number=4, name="社保通办4号窗口")
    window = WindowFactory(hall=hall, number=5, name="社保通办5号窗口")
    for code, name in [("SB001", "参保登记"), ("SB002", "缴费基数申报"), ("SB003", "社保卡补办")]:
        WindowServiceItem.objects.create(
            window=window, service_item=ServiceItemFactory(code=code, name=name)
        )
    DutyAssignmentFactory(hall=hall, staff=staff, window=window, date=timezone.localdate())
    pension = category(hall, "A", "社保通办", window, order=0)
    medical = category(hall, "B", "医保业务", window, order=1)
    category(hall, "C", "不动产登记", other, order=2)
    issue(pension, 18)
    issue(medical, 15)
    issue(pension, 12, lane=Visit.Lane.PRIORITY)  # 绿色通道: called first
    issue(pension, 4)
    return window


def log_in(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/console/")
    page.fill("#id_username", "wangxm")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{url}/console/")


def test_staff_calls_recalls_serves_and_finishes_a_ticket(
    live_server, chromium_browser, browser_page, screenshot_dir, queue_window
):
    page = browser_page
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url)
    page.click("#sign-in-submit")
    expect(page.locator("#console-window")).to_have_text("5号窗口")
    expect(page.locator("html[data-console-queue-ready]")).to_have_count(1)
    # the queue of the window's two categories; the third is another window's
    expect(page.locator(".console-queue-count")).to_have_count(2)
    expect(page.locator("#queue-count-A .console-queue-n")).to_have_text("3")
    expect(page.locator("#queue-count-B .console-queue-n")).to_have_text("1")
    expect(page.locator("#ticket-no")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "console-queue-zh.png"), full_page=True)

    # a second browser of the same window
    context = chromium_browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=WIDE
    )
    context.set_default_timeout(10_000)
    second = context.new_page()
    log_in(second, live_server.url)
    expect(second.locator("html[data-console-queue-ready]")).to_have_count(1)
    expect(second.locator("#called")).to_have_count(0)

    # 叫号 (F3): the green-channel ticket first
    page.keyboard.press("F3")
    expect(page.locator("#called-ticket")).to_have_text("A002")
    expect(page.locator("#called-lane")).to_have_count(1)  # 绿色通道
    expect(page.locator("#called-category")).to_have_text("社保通办")
    expect(page.locator("#called-times")).to_contain_text("12")
    expect(page.locator("#queue-count-A .console-queue-n")).to_have_text("2")
    expect(page.locator("#btn-queue-no-show")).to_be_disabled()
    # the second browser shows the call without a reload
    second.evaluate("document.body.dataset.notReloaded = '1'")
    expect(second.locator("#called-ticket")).to_have_text("A002", timeout=6_000)
    expect(second.locator("#queue-count-A .console-queue-n")).to_have_text("2")
    assert second.evaluate("document.body.dataset.notReloaded") == "1"

    # 重呼 counts against the hall's limit of 2
    page.click("#btn-recall")
    expect(page.locator("#recall-count")).to_have_text("1/2")
    expect(page.locator("#btn-queue-no-show")).to_be_disabled()
    page.click("label[for] >> text=参保登记")
    page.click("label[for] >> text=社保卡补办")
    expect(page.locator("#items-picked")).to_have_text("2")
    page.wait_for_timeout(400)  # the chips' colour transition
    page.screenshot(path=str(screenshot_dir / "console-called-zh.png"), full_page=True)

    # 开始办理 (F2) with the two items, then 办结 (F4)
    page.keyboard.press("F2")
    expect(page.locator("#serving-ticket")).to_have_text("A002")
    expect(page.locator("#serving-category")).to_have_text("社保通办")
    expect(page.locator("#btn-call")).to_be_disabled()
    expect(page.locator("#transfer-category option")).to_have_count(4)
    page.screenshot(path=str(screenshot_dir / "console-queue-serving-zh.png"), full_page=True)
    expect(second.locator("#serving-ticket")).to_have_text("A002", timeout=6_000)
    page.keyboard.press("F4")
    expect(page.locator("#serving")).to_have_count(0)
    row = page.locator("#visits tbody tr").first
    expect(row.locator(".visit-ticket")).to_have_text("A002")
    expect(row.locator(".visit-items")).to_contain_text("参保登记、社保卡补办")
    expect(page.locator("#btn-call")).to_be_enabled()
    expect(second.locator("#serving")).to_have_count(0, timeout=6_000)
    context.close()

    visit = read_db(lambda: Visit.objects.get(ticket_no="A002"))
    assert (visit.status, visit.item_count, visit.recalls, visit.lane) == (
        "completed",
        2,
        1,
        "priority",
    )
    assert visit.issued_at < visit.called_at <= visit.started_at < visit.finished_at

    # the same console in English, the next ticket called
    english = chromium_browser.new_context(
        locale="en-US", timezone_id="Asia/Shanghai", viewport=WIDE
    )
    english.set_default_timeout(10_000)
    page_en = english.new_page()
    log_in(page_en, live_server.url)
    page_en.click("#btn-call")
    expect(page_en.locator("#called-ticket")).to_have_text("A001")
    expect(page_en.locator("#recall-count")).to_have_text("0/2")
    page_en.wait_for_timeout(400)
    page_en.screenshot(path=str(screenshot_dir / "console-queue-en.png"), full_page=True)
    english.close()
