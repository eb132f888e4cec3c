"""A regional manager logs in, opens the regional ranking from the statistics menu, picks
the months, reads two halls ranked and downloads the workbook; in Chinese and English, at
1366 px (var/screenshots/regional-*.png), with no serious axe violation."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations
from tests.reports.test_regional_ranking import region_with_two_halls, regional_user
from tests.windows.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WIDE = {"width": 1366, "height": 900}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{base_url}/")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_regional_manager_ranks_the_districts_halls(
    live_server, chromium_browser, screenshot_dir, locale
):
    region, *_halls = region_with_two_halls()
    regional_user(region)
    context = chromium_browser.new_context(
        locale=locale, timezone_id="Asia/Shanghai", viewport=WIDE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "regional")
        page.click("#nav-statistics")
        page.click("#nav-regional")
        expect(page.locator("#regional-title")).to_be_visible()
        page.fill("#id_start", "2025-03")
        page.fill("#id_end", "2025-04")
        page.click("#regional-filter button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/regional/?region=R1&start=2025-03&end=2025-04")

        rows = page.locator("#regional-ranking tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_have_attribute("data-hall", "HB")
        expect(page.locator('[data-cell="HA:items"] [data-value]')).to_have_text("50")
        expect(page.locator('[data-cell="HA:overdue_cases"] [data-value]')).to_have_text("1")
        expect(page.locator('[data-cell="2025-04:HA:daily_average_items"]')).to_have_text("0.5")
        expect(page.locator("#regional-months tbody tr")).to_have_count(4)
        violations = axe_violations(page)
        assert violations == []
        name = "zh" if locale == "zh-CN" else "en"
        page.screenshot(path=str(screenshot_dir / f"regional-{name}.png"), full_page=True)

        with page.expect_download() as download:
            page.click("#regional-export")
        assert download.value.suggested_filename == "regional-R1-202503-202504.xlsx"
    finally:
        context.close()
