"""A rating tablet is paired, shows the badge card, and rates visits, also while offline."""

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.services.devices import tablet_issue_pairing_code
from tests.e2e.conftest import read_db, wait_until
from tests.evaluations.tablet_factories import finished_visit, sign_in
from tests.windows.factories import DepartmentFactory, HallFactory, StaffFactory, WindowFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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


def wait_for(condition, *, seconds: float = 10) -> None:
    """Poll the database (through the live server's table lock: read_db) until the
    condition holds."""
    deadline = time.monotonic() + seconds
    while not read_db(condition):
        assert time.monotonic() < deadline, "timed out waiting for the database"
        time.sleep(0.1)


def pair(page, live_server, window, screenshot_dir=None) -> None:
    _device, code = tablet_issue_pairing_code(window=window)
    page.goto(f"{live_server.url}/tablet/pair/?code={code}")
    expect(page.locator("#id_code")).to_have_value(code)
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "tablet-pair.png"))
    page.click("#pair-submit")
    expect(page).to_have_url(f"{live_server.url}/tablet/")


def test_a_citizen_gives_a_bad_review_with_a_reason(
    live_server, browser_page, screenshot_dir, window
):
    page = browser_page
    calls: list[tuple[str, str]] = []
    page.on("request", lambda request: calls.append((request.method, urlsplit(request.url).path)))
    # given a tablet paired through the pairing link, idle with the badge card
    pair(page, live_server, window, screenshot_dir)
    expect(page.locator("#badge-name")).to_have_text("王小明")
    expect(page.locator("#badge-no")).to_have_text("LH027")
    expect(page.locator("#screen-idle")).to_be_visible()
    expect(page.locator(".portal-navbar")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "tablet-idle.png"))

    # when a visit finishes, the five levels appear within 2 s
    visit = finished_visit(window, seconds_ago=0, ticket_no="A027")
    expect(page.locator("#screen-rate")).to_be_visible(timeout=2_000)
    expect(page.locator("#rate-ticket")).to_have_text("A027")
    expect(page.locator(".level-button")).to_have_count(5)
    page.screenshot(path=str(screenshot_dir / "tablet-levels.png"))

    # and the citizen taps 不满意 (2): reasons are asked, one at least
    page.click("#level-2")
    expect(page.locator("#screen-reasons")).to_be_visible()
    page.click("#reason-submit")
    expect(page.locator("#reason-error")).to_be_visible()
    assert Rating.objects.count() == 0
    page.click("#reason-attitude")
    expect(page.locator("#reason-error")).to_be_hidden()
    page.click("#reason-long_wait")
    expect(page.locator("#other-comment")).to_be_hidden()
    page.click("#reason-other")
    expect(page.locator("#other-comment")).to_be_visible()
    page.fill("#reason-comment", "没有提前告知材料")
    page.fill("#reason-phone", "138 1234 5678")
    page.screenshot(path=str(screenshot_dir / "tablet-reasons.png"))
    page.click("#reason-submit")

    # then a thank-you, the rating with a follow-up case, and back to idle
    expect(page.locator("#screen-thanks")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "tablet-thanks.png"))
    # The tablet empties its queue once the server has answered, i.e. after the commit;
    # reading before that can meet SQLite's lock of the live server's transaction.
    wait_until(page, "JSON.parse(localStorage.getItem('hall-tablet-queue') || '[]').length === 0")
    wait_for(lambda: Rating.objects.filter(visit=visit).exists())
    rating = Rating.objects.get()
    reasons = ["attitude", "long_wait", "other"]
    assert (rating.level, rating.reasons, rating.comment, rating.callback_phone) == (
        2,
        reasons,
        "没有提前告知材料",
        "13812345678",
    )
    assert rating.source == Rating.Source.TABLET
    case = Complaint.objects.get()
    assert (case.rating, case.level, case.reasons, case.callback_phone) == (
        rating,
        2,
        reasons,
        "13812345678",
    )
    expect(page.locator("#screen-idle")).to_be_visible(timeout=5_000)
    expect(page.locator("#screen-rate")).to_be_hidden()
    # all through the API's paths
    assert ("GET", "/api/v1/tablet/state") in calls
    assert ("POST", "/api/v1/tablet/ratings") in calls
    assert [path for _method, path in calls if path.startswith("/tablet/api/")] == []


def test_a_rating_tapped_offline_is_sent_once_when_back_online(
    live_server, browser_page, screenshot_dir, window
):
    page = browser_page
    pair(page, live_server, window)
    visit = finished_visit(window, seconds_ago=0)
    expect(page.locator("#screen-rate")).to_be_visible(timeout=2_000)

    # when the network drops and the citizen taps 非常满意 (twice, quickly)
    page.context.set_offline(True)
    expect(page.locator("#tablet-status")).to_be_visible(timeout=5_000)
    page.click("#level-5")
    page.locator("#level-5").dispatch_event("click")
    expect(page.locator("#screen-thanks")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "tablet-offline.png"))
    time.sleep(1.5)
    assert Rating.objects.count() == 0
    queued = page.evaluate("JSON.parse(localStorage.getItem('hall-tablet-queue'))")
    assert [(item["visit_id"], item["level"]) for item in queued] == [(visit.pk, 5)]

    # then, back online, it is sent exactly once
    page.context.set_offline(False)
    wait_for(lambda: Rating.objects.filter(visit=visit).exists(), seconds=40)
    expect(page.locator("#tablet-status")).to_be_hidden(timeout=5_000)
    wait_until(page, "JSON.parse(localStorage.getItem('hall-tablet-queue')).length === 0")
    time.sleep(1.5)
    rating = Rating.objects.get()
    assert (rating.visit, rating.level, str(rating.client_id)) == (
        visit,
        5,
        queued[0]["client_id"],
    )
    assert Complaint.objects.count() == 0
    expect(page.locator("#screen-idle")).to_be_visible()


def test_the_offline_banner_shows_only_when_the_network_is_down_or_ratings_wait(
    live_server, browser_page, window
):
    """One missed poll with nothing queued shows nothing (issue 12 item 5); polls that go
    unanswered three times in a row mean the network is down."""
    page = browser_page
    pair(page, live_server, window)
    expect(page.locator("#screen-idle")).to_be_visible(timeout=5_000)
    page.evaluate(
        """() => {
          window.bannerShown = false;
          const banner = document.getElementById('tablet-status');
          new MutationObserver(() => { if (!banner.hidden) window.bannerShown = true; })
            .observe(banner, { attributes: true });
        }"""
    )
    dropped = {"count": 0}

    def drop_one(route):
        if dropped["count"] < 1:
            dropped["count"] += 1
            route.abort()
        else:
            route.continue_()

    # when one poll goes unanswered with nothing queued
    page.route("**/api/v1/tablet/state", drop_one)
    page.wait_for_timeout(2_000)  # (Playwright handles the route while it waits)
    # then the banner never showed
    assert dropped["count"] == 1
    assert page.evaluate("window.bannerShown") is False
    assert page.evaluate("JSON.parse(localStorage.getItem('hall-tablet-queue') || '[]')") == []

    # when every poll goes unanswered, the network is down: the banner says so
    page.unroute("**/api/v1/tablet/state")
    page.route("**/api/v1/tablet/state", lambda route: route.abort())
    expect(page.locator("#tablet-status")).to_be_visible(timeout=5_000)
    # and hides again once the server answers
    page.unroute("**/api/v1/tablet/state")
    expect(page.locator("#tablet-status")).to_be_hidden(timeout=5_000)


def test_a_kiosk_page_loaded_before_the_upgrade_keeps_rating(live_server, browser_page, window):
    """A tablet keeps its page all day: one loaded before the API moved to /api/v1/tablet/
    still polls and rates through the former paths until it reloads."""
    page = browser_page

    def page_of_before(route):
        response = route.fetch()
        body = response.text().replace('"/api/v1/tablet/', '"/tablet/api/')
        route.fulfill(response=response, body=body)

    pair(page, live_server, window)
    page.route("**/tablet/", page_of_before)  # (a redirect's target is never routed)
    calls: list[tuple[str, str]] = []
    page.on("request", lambda request: calls.append((request.method, urlsplit(request.url).path)))
    page.goto(f"{live_server.url}/tablet/")
    expect(page.locator("#badge-name")).to_have_text("王小明")
    # Only what the page of before asks from here on: the page the pairing opened may
    # still have had a poll of the new path in flight while the browser navigated.
    calls.clear()

    visit = finished_visit(window, seconds_ago=0, ticket_no="A028")
    expect(page.locator("#screen-rate")).to_be_visible(timeout=2_000)
    page.click("#level-5")

    expect(page.locator("#screen-thanks")).to_be_visible()
    wait_for(lambda: Rating.objects.filter(visit=visit, level=5).exists())
    assert ("GET", "/tablet/api/state") in calls
    assert ("POST", "/tablet/api/ratings") in calls
    assert [path for _method, path in calls if path.startswith("/api/")] == []


def test_a_manager_issues_a_pairing_link_that_pairs_the_tablet(
    live_server, browser_page, chromium_browser, screenshot_dir, window, settings
):
    from tests.windows.factories import TEST_PASSWORD, make_manager

    # The link is made from the portal's configured address (PORTAL_BASE_URL), which the
    # tablet opens: here, the test server's.
    settings.PORTAL_BASE_URL = live_server.url
    make_manager(window.hall, "manager_lh")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "manager_lh")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/evaluations/tabletdevice/")
    page.click("#issue-pairing-code")
    page.select_option("#id_window", str(window.pk))
    page.fill("#id_label", "27号评价器")
    page.click("#issue-submit")
    expect(page.locator("#pairing-code")).to_have_text(re.compile(r"^\d{8}$"))
    page.screenshot(path=str(screenshot_dir / "tablet-admin-pairing-code.png"), full_page=True)
    link = page.locator("#pairing-link").get_attribute("href")
    assert link.startswith(f"{live_server.url}/tablet/pair/?code=")

    tablet = chromium_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        kiosk = tablet.new_page()
        kiosk.goto(link)
        kiosk.click("#pair-submit")
        expect(kiosk).to_have_url(f"{live_server.url}/tablet/")
        expect(kiosk.locator("#badge-no")).to_have_text("LH027")
    finally:
        tablet.close()

    page.goto(f"{live_server.url}/admin/evaluations/tabletdevice/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "tablet-admin-list.png"), full_page=True)
