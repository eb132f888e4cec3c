"""A staff member logs in with the browser and finds their badge and today's window."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.windows.factories import (
    TEST_PASSWORD,
    DepartmentFactory,
    DutyAssignmentFactory,
    HallFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def staff_on_duty_today():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    department = DepartmentFactory(hall=hall, name="社保管理中心")
    staff = StaffFactory(
        hall=hall,
        department=department,
        badge_no="LH027",
        display_name="王小明",
        job_title="综合柜员",
        user=UserFactory(username="wangxm"),
    )
    window = WindowFactory(hall=hall, number=27, name="企保退休综合服务27号窗口")
    DutyAssignmentFactory(hall=hall, staff=staff, window=window, date=timezone.localdate())
    return staff


def test_staff_logs_in_and_sees_badge_and_todays_window(
    live_server, browser_page, screenshot_dir, staff_on_duty_today
):
    page = browser_page
    # given the login page
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#login-form")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)
    # when the staff member logs in
    page.fill("#id_username", "wangxm")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    # then they land on their home page with their badge and today's window
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#badge-no")).to_have_text("LH027")
    expect(page.locator("#badge-name")).to_have_text("王小明")
    expect(page.locator("#today-duty-1 .today-window")).to_have_text(re.compile(r"\b27\b"))
    expect(page.locator("#week-roster tbody tr")).to_have_count(7)
    expect(page.locator("#week-roster tr.roster-today")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "home.png"), full_page=True)
    # and the logout button takes them back to the login page
    page.click("#nav-account")
    page.click("#nav-logout")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("#login-form")).to_be_visible()
