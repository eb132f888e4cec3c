"""A manager carries a bad review's case from received to closed through the case pages."""

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.services.ratings import rating_submit
from tests.evaluations.tablet_factories import finished_visit
from tests.windows.factories import (
    TEST_PASSWORD,
    HallFactory,
    StaffFactory,
    WindowFactory,
    make_manager,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def bad_review():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    manager = make_manager(hall, "zhuren")
    staff = StaffFactory(hall=hall, badge_no="LH027", display_name="王小明")
    window = WindowFactory(hall=hall, number=5, name="社保通办5号窗口")
    visit = finished_visit(window, staff=staff)
    rating = rating_submit(
        visit=visit,
        level=Rating.Level.DISSATISFIED,
        source=Rating.Source.TABLET,
        reasons=["notification"],
        comment="材料没有一次说清楚",
        callback_phone="13812345678",
    )
    return {"case": Complaint.objects.get(rating=rating), "manager": manager}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{base_url}/")


def test_manager_closes_a_bad_review_case(live_server, browser_page, screenshot_dir, bad_review):
    page = browser_page
    case, manager = bad_review["case"], bad_review["manager"]
    log_in(page, live_server.url, "zhuren")

    # the case is on the list, received, with the full phone for the hall's manager
    page.goto(f"{live_server.url}/complaints/")
    row = page.locator(f'#cases-table tr[data-case="{case.pk}"]')
    expect(row.locator(".case-status")).to_have_attribute(
        "class", "badge case-status case-status-received text-bg-primary"
    )
    expect(row.locator(".case-phone")).to_have_text("13812345678")
    page.screenshot(path=str(screenshot_dir / "complaint-list.png"), full_page=True)
    row.locator("a").click()
    expect(page).to_have_url(f"{live_server.url}/complaints/{case.pk}/")
    expect(page.locator("#case-rating")).to_contain_text("材料没有一次说清楚")

    def step(action, status, fill=None):
        if fill:
            fill()
        page.click(f"#submit-{action}")
        expect(page).to_have_url(f"{live_server.url}/complaints/{case.pk}/")
        expect(page.locator("#case-status .case-status")).to_have_class(
            f"badge case-status case-status-{status} "
            + ("text-bg-secondary" if status == "closed" else "text-bg-primary")
        )

    step("verify", "verified", lambda: page.fill("#id_verify-note", "情况属实"))
    step(
        "assign",
        "assigned",
        lambda: page.select_option("#id_assign-handler", str(manager.pk)),
    )
    step("start", "in_progress")
    step(
        "reply", "replied", lambda: page.fill("#id_reply-reply", "已向群众致歉并一次性告知所需材料")
    )

    def callback():
        page.select_option("#id_callback-result", "satisfied")
        page.fill("#id_callback-note", "群众表示满意")

    step("callback", "callback_done", callback)

    def close():
        page.select_option("#id_close-verdict", "substantiated")
        page.fill("#id_close-note", "属实，已整改")

    step("close", "closed", close)

    # the case is closed with its verdict, and the timeline lists every step
    expect(page.locator("#case-verdict")).to_contain_text("属实，已整改")
    entries = page.locator("#case-timeline .timeline-entry")
    expect(entries).to_have_count(7)
    assert [entries.nth(i).get_attribute("data-to") for i in range(7)] == [
        "received",
        "verified",
        "assigned",
        "in_progress",
        "replied",
        "callback_done",
        "closed",
    ]
    expect(page.locator("#case-actions .case-action")).to_have_count(1)
    expect(page.locator("#action-erase")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "complaint-closed.png"), full_page=True)

    case.refresh_from_db()
    assert (case.status, case.callback_result, case.verdict, case.handler) == (
        "closed",
        "satisfied",
        "substantiated",
        manager,
    )

    # and the dashboard counts it
    page.goto(f"{live_server.url}/complaints/dashboard/")
    expect(page.locator('[data-figure="closed_this_month"]')).to_have_text("1")
    expect(page.locator('[data-figure="callback_rate"]')).to_have_text("100.00%")
    expect(page.locator('[data-figure="satisfied_rate"]')).to_have_text("100.00%")
    page.screenshot(path=str(screenshot_dir / "complaint-dashboard.png"), full_page=True)
