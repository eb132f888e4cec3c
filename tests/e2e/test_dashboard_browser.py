"""A manager opens the dashboard: Chart.js from the portal draws the year, today refreshes."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from tests.e2e.conftest import wait_until
from tests.windows.factories import (
    TEST_PASSWORD,
    HallFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows.models import Zone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def rate(visit, level):
    return Rating.objects.create(
        visit=visit, level=level, rated_at=visit.finished_at, source=Rating.Source.TABLET
    )


@pytest.fixture
def demo_hall():
    """Last year and this year up to today: a few visits a month, more on recent weekdays.

    Today: 2 completed visits (3 items), rated 5 and 2.
    """
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    make_manager(hall, "zhuren")
    general = WindowFactory(
        hall=hall, number=1, zone=ZoneFactory(hall=hall, kind=Zone.Kind.GENERAL)
    )
    specialist = WindowFactory(
        hall=hall, number=27, zone=ZoneFactory(hall=hall, kind=Zone.Kind.SPECIALIST)
    )
    today = timezone.localdate()
    for year in (today.year - 1, today.year):
        for month in range(1, 13):
            day = dt.date(year, month, 10)
            if day >= today:
                break
            count = 2 + (month + year) % 3
            for n in range(count):
                window = general if n % 3 else specialist
                visit = VisitFactory(hall=hall, window=window, service_date=day, item_count=n + 1)
                rate(visit, 5 - n % 4)
    for back in range(1, 90):
        day = today - dt.timedelta(days=back)
        if day.weekday() < 5:
            VisitFactory(hall=hall, window=general, service_date=day, item_count=1 + back % 7)
    rate(VisitFactory(hall=hall, window=general, service_date=today, item_count=2), 5)
    rate(VisitFactory(hall=hall, window=specialist, service_date=today, item_count=1), 2)
    rollups_rebuild()  # the factories write visits and ratings without the services
    return {"hall": hall, "window": general, "today": today}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{base_url}/")


def test_the_dashboard_draws_its_charts_without_leaving_the_portal(
    live_server, browser_page, screenshot_dir, demo_hall
):
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.clock.install()
    log_in(page, live_server.url, "zhuren")

    # when the manager opens the dashboard
    page.goto(f"{live_server.url}/reports/dashboard/")

    # then Chart.js, served by the portal, draws the year's four charts from the year's feed
    # and the sections' (today's surge curve; satisfaction by waiting and service time)
    charts = [
        "chart-daily",
        "chart-months",
        "chart-rates",
        "chart-share",
        "surge-chart",
        "waiting-service-chart",
        "waiting-wait-chart",
    ]
    wait_until(page, f"window.Chart && {charts}.every((id) => Chart.getChart(id))")
    assert page.evaluate("Chart.version") == "4.6.1"
    assert sorted(page.evaluate("Object.values(Chart.instances).map((c) => c.canvas.id)")) == charts
    assert page.evaluate(
        "Chart.getChart('chart-months').data.datasets.map((d) => d.data.length)"
    ) == [12, 12]
    assert page.evaluate("Chart.getChart('chart-daily').data.labels.length") == 90
    peak_points = page.evaluate(
        "Chart.getChart('chart-daily').data.datasets[0].pointRadius.filter((r) => r > 0).length"
    )
    assert peak_points == 5
    expect(page.locator("#peak-days")).not_to_have_text("—")
    expect(page.locator("#dashboard-error")).to_be_hidden()
    expect(page.locator('[data-today="visits"]')).to_have_text("2")
    expect(page.locator('[data-today="satisfaction_rate_pct"]')).to_have_text("50.00%")
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)

    # when a visit is finished and rated, and thirty seconds pass
    visit = VisitFactory(
        hall=demo_hall["hall"],
        window=demo_hall["window"],
        service_date=demo_hall["today"],
        item_count=4,
    )
    rate(visit, 4)
    page.clock.run_for(30_000)

    # then today's tiles show it without a reload
    expect(page.locator('[data-today="visits"]')).to_have_text("3")
    expect(page.locator('[data-today="items"]')).to_have_text("7")
    expect(page.locator('[data-today="satisfaction_rate_pct"]')).to_have_text("66.67%")
    expect(page.locator("#today-error")).to_be_hidden()

    # and no request ever left the portal
    assert requests
    assert [url for url in requests if not url.startswith(live_server.url + "/")] == []
    assert f"{live_server.url}/static/vendor/chartjs/chart.umd.min.js" in requests
    assert any(url.startswith(f"{live_server.url}/api/v1/dashboard/year/?") for url in requests)
    assert any(url.startswith(f"{live_server.url}/api/v1/dashboard/today/?") for url in requests)
