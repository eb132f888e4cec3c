"""A manager reads satisfaction against waiting time on the dashboard: the band charts
drawn by the portal's Chart.js, the thresholds, the too-few bands shown as counts only, the
windows' queue-or-service verdicts, the filters and a bad one's message; at 1366 px in
Chinese and English (var/screenshots/waiting-dashboard-*.png)."""

import pytest
from playwright.sync_api import expect

from evaluations.rollups import rollups_rebuild
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import wait_until
from tests.evaluations.test_waiting_bands import build_month
from tests.windows.factories import TEST_PASSWORD, HallFactory, make_manager

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1366, "height": 900}
URL = "/reports/dashboard/?hall=LH&year=2020"
LOADED = "document.getElementById('waiting').dataset.loaded"


@pytest.fixture
def september():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    make_manager(hall, "zhuren")
    build_month(hall)
    rollups_rebuild()
    return hall


def _open(browser, base_url, locale):
    context = browser.new_context(locale=locale, timezone_id="Asia/Shanghai", viewport=WIDE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "zhuren")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{base_url}/")
    page.goto(base_url + URL)
    wait_until(page, f"{LOADED} !== undefined")
    return context, page


def _bands(page, kind):
    return page.evaluate(
        f"""[...document.querySelectorAll('#waiting-{kind}-table tbody tr')].map(
            (row) => [...row.cells].map((cell) => cell.textContent))"""
    )


def test_the_dashboard_shows_satisfaction_against_waiting(
    live_server, chromium_browser, screenshot_dir, september
):
    requests: list[str] = []
    context, page = _open(chromium_browser, live_server.url, "zh-CN")
    page.on("request", lambda request: requests.append(request.url))
    try:
        # the year's figures: every band's count, the rates only where there are enough
        assert page.evaluate(LOADED) == "year=2020&start=2020-01-01&end=2020-12-31"
        assert page.input_value("#waiting-start") == "2020-01-01"
        assert page.input_value("#waiting-end") == "2020-12-31"
        wait_rows = _bands(page, "wait")
        assert [row[:2] for row in wait_rows] == [
            ["0–5", "200"],
            ["5–10", "100"],
            ["10–15", "65"],
            ["15–20", "50"],
            ["20–30", "40"],
            ["30–45", "10"],
            ["45–60", "0"],
            ["≥60", "30"],
        ]
        assert wait_rows[3][2:] == ["80.00%", "20.00%"]
        assert len(wait_rows[5]) == 3  # too few: one cell says so, no rate
        chart = "Chart.getChart('waiting-wait-chart').data.datasets"
        assert page.evaluate(f"{chart}.map((d) => d.type)") == ["line", "line", "bar"]
        assert page.evaluate(f"{chart}[1].data") == [5, 3, 4.62, 20, 30, None, None, 30]
        assert page.evaluate(f"{chart}[2].data") == [200, 100, 65, 50, 40, 10, 0, 30]
        expect(page.locator("#waiting-wait-threshold")).to_have_attribute("data-minute", "15")
        expect(page.locator("#waiting-service-threshold")).to_have_attribute("data-minute", "")
        assert page.evaluate(
            "[...document.querySelectorAll('#waiting-windows tbody tr')].map("
            "(row) => [row.dataset.window, row.dataset.verdict])"
        ) == [["1", "similar"], ["2", "service"], ["3", "not_below"], ["4", "too_few"]]
        assert page.evaluate("Chart.version") == "4.6.1"
        expect(page.locator("#waiting-error")).to_be_hidden()
        violations = axe_violations(page, within="#waiting")
        assert violations == [], describe(violations)
        page.locator("#waiting").screenshot(path=str(screenshot_dir / "waiting-dashboard-zh.png"))
        page.screenshot(path=str(screenshot_dir / "waiting-dashboard-page-zh.png"), full_page=True)

        # a window's own figures
        page.select_option("#waiting-window", "2")
        page.click("#waiting-apply")
        wait_until(page, f"{LOADED}.includes('window=2')")
        assert [row[1] for row in _bands(page, "wait")] == [
            "40",
            "10",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
        ]
        assert page.evaluate(
            "[...document.querySelectorAll('#waiting-windows tbody tr')]"
            ".map((r) => r.dataset.window)"
        ) == ["2"]

        # a period the wrong way round: the reason, nothing drawn over the figures
        page.fill("#waiting-start", "2020-09-30")
        page.fill("#waiting-end", "2020-09-01")
        page.click("#waiting-apply")
        expect(page.locator("#waiting-error")).to_be_visible()
        expect(page.locator("#waiting-error")).not_to_be_empty()
        assert page.evaluate(LOADED) == "error"
        assert [url for url in requests if not url.startswith(live_server.url + "/")] == []
    finally:
        context.close()

    context, page = _open(chromium_browser, live_server.url, "en-US")
    try:
        expect(page.locator("#waiting-title")).to_have_text(
            "Satisfaction against waiting and service time"
        )
        expect(page.locator("#waiting-wait-threshold")).to_contain_text(
            "Bad reviews rise clearly from 15 minutes of waiting"
        )
        expect(page.locator('#waiting-windows tr[data-window="1"] td').last).to_have_text(
            "level with the hall (within chance)"
        )
        page.locator("#waiting").screenshot(path=str(screenshot_dir / "waiting-dashboard-en.png"))
    finally:
        context.close()
