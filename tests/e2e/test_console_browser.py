"""A staff member signs in to the roster's window and serves a ticket with two items."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.windows.factories import (
    TEST_PASSWORD,
    DutyAssignmentFactory,
    HallFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
)
from windows.models import Visit, WindowServiceItem

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def rostered_staff():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    staff = StaffFactory(
        hall=hall, badge_no="LH005", display_name="王小明", user=UserFactory(username="wangxm")
    )
    WindowFactory(hall=hall, number=4, name="社保通办4号窗口")
    window = WindowFactory(hall=hall, number=5, name="社保通办5号窗口")
    for code, name in [
        ("SB001", "参保登记"),
        ("SB002", "缴费基数申报"),
        ("SB003", "社保卡补办"),
        ("SB004", "养老保险关系转移"),
    ]:
        WindowServiceItem.objects.create(
            window=window, service_item=ServiceItemFactory(code=code, name=name)
        )
    DutyAssignmentFactory(hall=hall, staff=staff, window=window, date=timezone.localdate())
    return staff


def test_staff_signs_in_and_serves_a_ticket_with_two_items(
    live_server, browser_page, screenshot_dir, rostered_staff
):
    page = browser_page
    # given a logged-in staff member on the console
    page.goto(f"{live_server.url}/accounts/login/?next=/console/")
    page.fill("#id_username", "wangxm")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{live_server.url}/console/")
    # the roster's window is chosen already
    expect(page.locator("#window-5")).to_be_checked()
    page.screenshot(path=str(screenshot_dir / "console-sign-in.png"), full_page=True)
    page.click("#sign-in-submit")
    expect(page.locator("#console-window")).to_have_text("5号窗口")
    expect(page.locator("html[data-console-ready]")).to_have_count(1)
    # when they scan ticket A012 (Enter without items goes to the item filter)
    expect(page.locator("#ticket-no")).to_be_focused()
    page.keyboard.type("a012")
    page.keyboard.press("Enter")
    expect(page.locator("#item-filter")).to_be_focused()
    # pick one item through the filter and one by touch
    page.keyboard.type("社保卡")
    expect(page.locator(".console-item:not([hidden])")).to_have_count(1)
    page.keyboard.press("Enter")
    page.click("label[for] >> text=参保登记")
    expect(page.locator("#items-picked")).to_have_text("2")
    page.keyboard.press("F2")
    # then the ticket is being served with a running timer
    expect(page.locator("#serving-ticket")).to_have_text("A012")
    expect(page.locator("#serving-timer")).to_have_text("0:01", timeout=5_000)
    page.screenshot(path=str(screenshot_dir / "console-serving.png"), full_page=True)
    # and finishing lists the visit with its two items
    page.keyboard.press("F4")
    expect(page.locator("#serving")).to_have_count(0)
    row = page.locator("#visits tbody tr").first
    expect(row.locator(".visit-ticket")).to_have_text("A012")
    expect(row.locator(".visit-items")).to_contain_text("参保登记、社保卡补办")
    expect(row.locator(".visit-items .badge")).to_have_text("2")
    expect(page.locator("#fig-visits")).to_have_text("1")
    expect(page.locator("#fig-items")).to_have_text("2")
    expect(page.locator("#ticket-no")).to_have_value("")
    page.screenshot(path=str(screenshot_dir / "console.png"), full_page=True)
    visit = Visit.objects.get()
    assert (visit.ticket_no, visit.status, visit.item_count) == ("A012", "completed", 2)
    # the same page on a phone-sized screen keeps large touch targets
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("#btn-start").bounding_box()["height"] >= 48
    page.screenshot(path=str(screenshot_dir / "console-mobile.png"), full_page=True)
