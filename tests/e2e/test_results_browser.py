"""A manager watches today's figures update without a reload; a staff member reads their own."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from tests.windows.factories import (
    TEST_PASSWORD,
    HallFactory,
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)
from windows.models import Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def rate(visit, level, **extra):
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.TABLET, **extra
    )


@pytest.fixture
def busy_hall():
    """Today: window 5 (王小明) 3 completed rated 5, 4, 2; window 9 (李华) 1 completed, unrated.

    王小明 also served on the 20 days before, so his own page has history.
    """
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    make_manager(hall, "zhuren")
    wang = StaffFactory(
        hall=hall, badge_no="LH027", display_name="王小明", user=UserFactory(username="wangxm")
    )
    li = StaffFactory(hall=hall, badge_no="LH005", display_name="李华")
    w5 = WindowFactory(hall=hall, number=5, name="社保通办5号窗口")
    w9 = WindowFactory(hall=hall, number=9, name="医保通办9号窗口")
    WindowFactory(hall=hall, number=27, name="企保退休综合服务27号窗口")
    today = timezone.localdate()
    rate(VisitFactory(hall=hall, window=w5, staff=wang, service_date=today, item_count=2), 5)
    rate(VisitFactory(hall=hall, window=w5, staff=wang, service_date=today), 4)
    rate(
        VisitFactory(hall=hall, window=w5, staff=wang, service_date=today),
        2,
        reasons=["long_wait", "notification"],
        comment="材料没有一次说清楚",
        callback_phone="13812345678",
    )
    VisitFactory(hall=hall, window=w9, staff=li, service_date=today)
    for days_back in range(1, 21):
        day = today - dt.timedelta(days=days_back)
        rate(VisitFactory(hall=hall, window=w5, staff=wang, service_date=day), 5 - days_back % 3)
        if days_back % 4:
            VisitFactory(hall=hall, window=w5, staff=wang, service_date=day, item_count=2)
        if days_back % 5 == 0:
            VisitFactory(
                hall=hall,
                window=w5,
                staff=wang,
                service_date=day,
                status=Visit.Status.NO_SHOW,
                finished_at=None,
            )
    rollups_rebuild()  # the factories write visits and ratings without the services
    return {"hall": hall, "window": w9, "staff": li, "today": today}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{base_url}/")


def test_todays_figures_refresh_without_reload(
    live_server, browser_page, screenshot_dir, busy_hall
):
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    # given a manager on the hall results page, with the page's timers under test control
    page.clock.install()
    log_in(page, live_server.url, "zhuren")
    page.goto(f"{live_server.url}/results/hall/?hall=LH")
    live = page.locator("#live")
    expect(live.locator('[data-total="visits"]')).to_have_text("4")
    expect(live.locator('[data-total="evaluation_rate_pct"]')).to_have_text("75.00%")
    expect(live.locator('[data-total="satisfaction_rate_pct"]')).to_have_text("66.67%")
    expect(page.locator("#live-bad-reviews .bad-review")).to_have_count(1)
    expect(page.locator("#live-bad-reviews .bad-review-phone")).to_contain_text("138****5678")
    expect(page.locator("#live-windows tbody tr")).to_have_count(3)
    expect(page.locator("#window-results")).to_have_count(0)  # today's table: not twice
    expect(page.locator("#staff-results tbody tr")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "results-hall.png"), full_page=True)
    page.evaluate("window.notReloaded = true")

    # when a citizen at window 9 gives a bad review
    visit = VisitFactory(
        hall=busy_hall["hall"],
        window=busy_hall["window"],
        staff=busy_hall["staff"],
        service_date=busy_hall["today"],
    )
    rate(visit, 1, reasons=["attitude"], callback_phone="13900001111")
    # and ten seconds pass
    page.clock.run_for(10_000)

    # then the live block shows it, without a reload
    expect(live.locator('[data-total="visits"]')).to_have_text("5")
    expect(live.locator('[data-total="bad"]')).to_have_text("2")
    expect(live.locator('[data-total="satisfaction_rate_pct"]')).to_have_text("50.00%")
    window_9 = page.locator('#live-windows tr[data-window="9"]')
    expect(window_9.locator(".fig-rated")).to_have_text("1")
    expect(window_9.locator(".fig-evaluation-rate .rate-value")).to_have_text("50.00%")
    expect(page.locator("#live-bad-reviews .bad-review")).to_have_count(2)
    expect(page.locator("#live-bad-reviews .bad-review-phone").first).to_contain_text("139****1111")
    expect(page.locator("#live-error")).to_be_hidden()
    assert page.evaluate("window.notReloaded") is True
    assert "13900001111" not in page.content()
    assert f"{live_server.url}/api/v1/results/live/?hall=LH" in requests
    page.screenshot(path=str(screenshot_dir / "results-hall-live.png"), full_page=True)


def test_staff_member_reads_own_results(live_server, browser_page, screenshot_dir, busy_hall):
    page = browser_page
    log_in(page, live_server.url, "wangxm")
    page.goto(f"{live_server.url}/results/me/")
    expect(page.locator("#period-results tbody tr")).to_have_count(21)
    expect(page.locator("#period-totals .fig-visits")).to_have_text("38")
    page.screenshot(path=str(screenshot_dir / "results-me.png"), full_page=True)

    page.click("#period-month")
    expect(page.locator("#period-month")).to_have_class("nav-link active")
    expect(page.locator("#period-totals .fig-visits")).to_have_text("38")
