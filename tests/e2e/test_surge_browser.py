"""A manager reads today's surge warning on the dashboard: the curve, a typical day, the
projection band and the capacity drawn by the portal's Chart.js, the surging category and
the windows to open; at 1366 px in Chinese and English (var/screenshots/surge-*.png).

Today is the real day at 11:00 in the hall (timezone.now patched: the live server runs in
this process); its history days (the same weekday) are the replay generator's ordinary
days, today its 2 November 2020 (医保通办 +140%)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bench import surge_replay as replay
from reports.surge.models import SurgeSettings
from reports.surge.selectors import history_days
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import wait_until
from tests.reports.surge_data import store_generated_day
from tests.windows.factories import (
    SHANGHAI,
    TEST_PASSWORD,
    HallFactory,
    StaffFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows.models import QueueCategory, WindowSession

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1366, "height": 900}
URL = "/reports/dashboard/?hall=LH"
LOADED = "document.getElementById('surge').dataset.loaded"


@pytest.fixture
def surge_day(monkeypatch):
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    make_manager(hall, "zhuren")
    general, medical = ZoneFactory(hall=hall, name="综合区"), ZoneFactory(hall=hall, name="医保区")
    windows = [
        WindowFactory(hall=hall, number=n, zone=general if n <= 15 else medical)
        for n in range(1, 24)
    ]
    categories = []
    for index, name in enumerate(replay.CATEGORIES):
        category = QueueCategory.objects.create(hall=hall, name=name, prefix="ABCD"[index])
        category.zones.add(medical if index == 1 else general)
        categories.append(category)
    today = timezone.localdate(timezone.now(), SHANGHAI)
    now = dt.datetime.combine(today, dt.time(11, 0), tzinfo=SHANGHAI)
    year = replay.generate(replay.SEED)
    ordinary = [
        d
        for d in year
        if d.year == 2020 and 7 <= d.month <= 10 and d.weekday() == 0 and not replay.is_event_day(d)
    ][-8:]
    # the past weekdays have visits, so they are the hall's business days
    candidates = [today - dt.timedelta(weeks=w) for w in range(1, 9)]
    for day, source in zip(candidates, ordinary, strict=False):
        store_generated_day(hall, windows[0], categories, day, year[source])
    store_generated_day(
        hall, windows[0], categories, today, year[dt.date(2020, 11, 2)], until_slot=44
    )
    staff = StaffFactory(hall=hall)
    for window in windows:
        if window.number <= 12 or 16 <= window.number <= 19:
            WindowSession.objects.create(
                window=window,
                staff=staff if window.number == 1 else StaffFactory(hall=hall),
                started_at=now - dt.timedelta(hours=2),
                ended_at=None if window.number <= 12 else now - dt.timedelta(hours=1),
            )
    SurgeSettings.objects.create(hall=hall, items_per_window_day=50)
    assert len(history_days(hall=hall, today=today)) == 8
    monkeypatch.setattr(timezone, "now", lambda: now)
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
    logs = []
    page.on("console", lambda m: logs.append(m.text))
    page.on("response", lambda r: logs.append(f"{r.status} {r.url}"))
    page.goto(base_url + URL)
    try:
        wait_until(page, f"{LOADED} === '1'", seconds=10)
    except AssertionError:
        raise AssertionError(logs) from None
    return context, page


@pytest.mark.parametrize("locale,name", [("zh-CN", "zh"), ("en-US", "en")])
def test_the_dashboard_shows_todays_surge(
    live_server, chromium_browser, screenshot_dir, surge_day, locale, name
):
    context, page = _open(chromium_browser, live_server.url, locale)
    try:
        chart = "Chart.getChart('surge-chart').data.datasets"
        assert page.evaluate(f"{chart}.length") == 6
        assert page.evaluate(f"{chart}[2].data[0]") == 800  # 16 windows x 50
        expect(page.locator("#surge-capacity")).to_have_text("800")
        expect(page.locator("#surge-windows")).to_have_text("16")
        expect(page.locator("#surge-history")).to_have_text("8")
        assert page.locator("#surge-arrived").inner_text() != "—"
        rows = page.evaluate(
            "[...document.querySelectorAll('#surge-categories tbody tr')].map("
            "(row) => row.cells[0].textContent)"
        )
        assert len(rows) == 4
        assert rows[1].startswith("医保通办") and rows[1] != "医保通办"  # its surging badge
        expect(page.locator("#surge-suggestion")).to_contain_text("20, 21, 22, 23")
        expect(page.locator("#surge-error")).to_be_hidden()
        violations = axe_violations(page, within="#surge")
        assert violations == [], describe(violations)
        page.locator("#surge").screenshot(path=str(screenshot_dir / f"surge-dashboard-{name}.png"))
    finally:
        context.close()
