"""The rating tablet's large-text, high-contrast mode: a toggle the tablet keeps, larger
text on black, and every screen still fits the tablet."""

import pytest
from playwright.sync_api import expect

from evaluations.services.devices import tablet_issue_pairing_code
from tests.evaluations.tablet_factories import finished_visit, sign_in
from tests.windows.factories import DepartmentFactory, HallFactory, StaffFactory, WindowFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TABLET = {"width": 1280, "height": 800}


@pytest.fixture
def window():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    department = DepartmentFactory(hall=hall, name="社保管理中心")
    window = WindowFactory(hall=hall, number=27, name="企保退休综合服务27号窗口")
    staff = StaffFactory(
        hall=hall,
        department=department,
        badge_no="LH027",
        display_name="王小明",
        job_title="综合柜员",
    )
    sign_in(window, staff)
    return window


def fits(page, selector: str) -> bool:
    """Every element matched is inside the tablet's screen."""
    return page.evaluate(
        f"[...document.querySelectorAll('{selector}')].every(el => {{"
        " const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; })"
    )


def style(page, selector: str, prop: str) -> str:
    return page.evaluate(
        f"getComputedStyle(document.querySelector('{selector}')).getPropertyValue('{prop}')"
    )


def test_large_text_is_switched_on_kept_and_fits_every_screen(
    live_server, chromium_browser, screenshot_dir, window
):
    context = chromium_browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=TABLET
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # given a paired tablet, in the normal mode
        _device, code = tablet_issue_pairing_code(window=window)
        page.goto(f"{live_server.url}/tablet/pair/?code={code}")
        page.click("#pair-submit")
        expect(page).to_have_url(f"{live_server.url}/tablet/")
        expect(page.locator("#badge-name")).to_have_text("王小明")
        toggle = page.locator("#large-toggle")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        normal_size = style(page, ".badge-name", "font-size")

        # when the large text is switched on, it is on at once and after a reload
        toggle.click()
        expect(page.locator("body")).to_have_class("tablet tablet-kiosk tablet-large")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("localStorage.getItem('hall-tablet-large')") == "1"
        page.reload()
        expect(page.locator("body")).to_have_class("tablet tablet-kiosk tablet-large")
        expect(page.locator("#badge-name")).to_have_text("王小明")
        assert (normal_size, style(page, ".badge-name", "font-size")) == ("51.2px", "67.2px")
        assert style(page, "body", "background-color") == "rgb(0, 0, 0)"
        assert style(page, "body", "color") == "rgb(255, 255, 255)"
        assert fits(page, "#screen-idle .tablet-card, #large-toggle")
        page.screenshot(path=str(screenshot_dir / "tablet-large-idle-zh.png"))

        # then the five levels are larger, on dark colours, and fit the screen
        finished_visit(window, seconds_ago=0, ticket_no="A027")
        expect(page.locator("#screen-rate")).to_be_visible(timeout=2_000)
        assert style(page, ".level-label", "font-size") == "38.4px"
        assert style(page, ".level-1", "background-color") == "rgb(160, 0, 0)"
        assert fits(page, ".level-button, #large-toggle")
        page.screenshot(path=str(screenshot_dir / "tablet-large-zh.png"))

        # and so do the reasons of a bad review
        page.click("#level-2")
        expect(page.locator("#screen-reasons")).to_be_visible()
        page.click("#reason-other")
        expect(page.locator("#other-comment")).to_be_visible()
        page.screenshot(path=str(screenshot_dir / "tablet-large-reasons-zh.png"))
        assert fits(page, ".reason-button, #reason-comment, #reason-phone, #reason-submit")

        # switched off, the tablet forgets it
        toggle.click()
        expect(page.locator("body")).to_have_class("tablet tablet-kiosk")
        assert page.evaluate("localStorage.getItem('hall-tablet-large')") == "0"
    finally:
        context.close()
