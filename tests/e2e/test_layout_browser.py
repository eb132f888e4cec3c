"""Every main page of a manager and of a window staff member fits 1280, 1366 and 1920 px
screens in both languages: no sideways scrolling, no navbar item broken over several
lines (issue 12 item 5), and the browser refuses nothing under the portal's
Content-Security-Policy.

One browser context per language and role; the widths are set on the same page.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from complaints.models import Channel, Complaint
from evaluations.rollups import rollups_rebuild
from reports.services import bulletin_build
from tests.windows.factories import (
    TEST_PASSWORD,
    DutyAssignmentFactory,
    HallFactory,
    StaffFactory,
    UserFactory,
    VisitFactory,
    WindowFactory,
    make_manager,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1280, 1366, 1920)
LOCALES = ("zh-CN", "en")

MANAGER_PAGES = [
    "/",
    "/results/hall/",
    "/reports/dashboard/",
    "/complaints/",
    "/complaints/dashboard/",
    "/rectification/",
    "/bulletins/",
    "/surveys/",
    "/admin/",
    "/admin/windows/window/",
    "/admin/windows/staff/",
    "/admin/windows/visit/",
    "/admin/windows/dutyassignment/",
    "/admin/complaints/complaint/",
    "/admin/rectification/rectificationchecklist/",
    "/admin/reports/bulletin/",
    "/api/docs/",
]
STAFF_PAGES = ["/", "/console/", "/results/me/"]
LONG_WINDOW_NAME = "社保通办1号窗口（参保登记、缴费基数申报、转移接续）"

# Every visible text of the navbar that the browser laid out on more than one line
# (e.g. "简体中文" one character a line), with the page's width beside the screen's.
LAYOUT_PROBE = """() => {
  const wrapped = [];
  const nav = document.querySelector('nav.portal-navbar');
  if (nav) {
    const walker = document.createTreeWalker(nav, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (!text || !node.parentElement.offsetParent) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set(
        Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))
      );
      if (tops.size > 1) wrapped.push(text.replace(/\\s+/g, ' '));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wrapped: wrapped,
  };
}"""


@pytest.fixture
def hall_with_a_day():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    manager = make_manager(hall, "manager")
    windows = [
        WindowFactory(hall=hall, number=1, name=LONG_WINDOW_NAME),
        WindowFactory(hall=hall, number=2, name="医保通办2号窗口"),
    ]
    staff = StaffFactory(
        hall=hall, badge_no="LH005", display_name="王小明", user=UserFactory(username="wangxm")
    )
    today = timezone.localdate()
    DutyAssignmentFactory(hall=hall, staff=staff, window=windows[0], date=today)
    for day in (today - dt.timedelta(days=1), today):
        for window in windows:
            VisitFactory(hall=hall, window=window, staff=staff, service_date=day)
    rollups_rebuild()  # the factories write visits and ratings without the services
    Complaint.objects.create(
        hall=hall,
        channel=Channel.ON_SITE,
        received_at=timezone.now(),
        due_date=today + dt.timedelta(days=1),
        comment="窗口工作人员态度不好",
    )
    bulletin = bulletin_build(hall=hall, kind="daily", day=today)
    return manager, staff.user, f"/bulletins/{bulletin.pk}/"


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base_url}/")


def _layout_faults(browser, base_url, locale, username, paths, shots) -> list[str]:
    """Each path and width whose page is wider than the screen or wraps a navbar item.

    Saves a screenshot of each page at 1366 px (var/screenshots/layout-*.png)."""
    context = browser.new_context(
        locale=locale, timezone_id="Asia/Shanghai", viewport={"width": WIDTHS[0], "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    faults = []
    try:
        _log_in(page, base_url, username)
        for path in paths:
            response = page.goto(f"{base_url}{path}")
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.wait_for_timeout(50)
                probe = page.evaluate(LAYOUT_PROBE)
                if probe["scrollWidth"] > probe["innerWidth"] or probe["wrapped"]:
                    faults.append(
                        f"{path} at {width} px: {probe['scrollWidth']} px wide, "
                        f"wrapped {probe['wrapped']}"
                    )
                if width == 1366:
                    slug = re.sub(r"-\d+$", "-detail", path.strip("/").replace("/", "-"))
                    slug = slug or "home"
                    page.screenshot(path=str(shots / f"layout-{locale}-{username}-{slug}.png"))
            page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    finally:
        context.close()
    return faults + [f"refused by the policy: {text}" for text in refused]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_main_page_fits_the_screen_without_wrapping_the_navbar(
    live_server, chromium_browser, hall_with_a_day, screenshot_dir, locale
):
    manager, staff_user, bulletin_page = hall_with_a_day
    for user in (manager, staff_user):
        user.set_password(TEST_PASSWORD)
        user.save()

    browser, url, shots = chromium_browser, live_server.url, screenshot_dir
    manager_pages = [*MANAGER_PAGES, bulletin_page]
    manager_faults = _layout_faults(browser, url, locale, "manager", manager_pages, shots)
    staff_faults = _layout_faults(browser, url, locale, "wangxm", STAFF_PAGES, shots)

    assert manager_faults == [], "\n".join(manager_faults)
    assert staff_faults == [], "\n".join(staff_faults)
