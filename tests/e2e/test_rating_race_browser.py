"""The two misattribution races, with the console and the window's tablet in two browsers.

1. Finish A101 (not rated), start and finish A102, tap 非常不满意 0.3 s later on a tablet
   that still shows A101 (its state requests held back, as on a slow network): nothing may
   land on A101; the tablet is told at once to show A102, and the citizen's tap rates A102.
2. A103 finishes unrated and A104 is started: the tablet must close A103's prompt at once,
   not keep it for the whole timeout for the next citizen to tap.

The delays are measured in the browser (Date.now() at the console's key press and at the
tablet's change of screen, one machine clock), not slept for.
"""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Complaint
from evaluations.models import Rating
from evaluations.services.devices import tablet_issue_pairing_code
from tests.e2e.conftest import read_db
from tests.windows.factories import (
    TEST_PASSWORD,
    DutyAssignmentFactory,
    HallFactory,
    ServiceItemFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
)
from windows.models import Visit, WindowServiceItem

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Records every change of the tablet's screen with the time and the ticket shown.
WATCH_SCREENS = """() => {
  window.__screens = [];
  const record = () => window.__screens.push({
    screen: document.body.getAttribute("data-screen"),
    ticket: document.getElementById("rate-ticket").textContent,
    at: Date.now(),
  });
  new MutationObserver(record).observe(document.body, {attributes: true,
    attributeFilter: ["data-screen"]});
  new MutationObserver(record).observe(document.getElementById("rate-ticket"),
    {childList: true, characterData: true, subtree: true});
}"""
MEASURED: dict[str, float] = {}


@pytest.fixture
def window_five():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    staff = StaffFactory(
        hall=hall, badge_no="LH005", display_name="王小明", user=UserFactory(username="wangxm")
    )
    window = WindowFactory(hall=hall, number=5, name="社保通办5号窗口")
    WindowServiceItem.objects.create(
        window=window, service_item=ServiceItemFactory(code="SB001", name="参保登记")
    )
    DutyAssignmentFactory(hall=hall, staff=staff, window=window, date=timezone.localdate())
    return window


@pytest.fixture
def two_browsers(chromium_browser):
    """The console (1366 px) and the tablet (a 1280×800 tablet) in their own contexts."""
    console_context = chromium_browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
    )
    tablet_context = chromium_browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    for context in (console_context, tablet_context):
        context.set_default_timeout(10_000)
    try:
        yield console_context.new_page(), tablet_context.new_page()
    finally:
        console_context.close()
        tablet_context.close()


def open_console(page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/console/")
    page.fill("#id_username", "wangxm")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    page.click("#sign-in-submit")
    expect(page.locator("#console-window")).to_have_text("5号窗口")


def open_tablet(page, live_server, window) -> None:
    _device, code = tablet_issue_pairing_code(window=window)
    page.goto(f"{live_server.url}/tablet/pair/?code={code}")
    page.click("#pair-submit")
    expect(page.locator("#badge-no")).to_have_text("LH005")
    page.evaluate(WATCH_SCREENS)


def start(page, ticket: str) -> float:
    """Type the ticket, pick the item, press F2; the browser's time of the key press."""
    expect(page.locator("html[data-console-ready]")).to_have_count(1)
    page.fill("#ticket-no", ticket)
    page.check("#visit-form input[name=service_items]", force=True)
    pressed = page.evaluate("Date.now()")
    page.keyboard.press("F2")
    expect(page.locator("#serving-ticket")).to_have_text(ticket)
    return pressed


def finish(page) -> float:
    expect(page.locator("html[data-console-ready]")).to_have_count(1)
    pressed = page.evaluate("Date.now()")
    page.keyboard.press("F4")
    expect(page.locator("#serving")).to_have_count(0)
    return pressed


def first_screen_after(tablet, since: float, screen: str, ticket: str | None = None) -> float:
    """Milliseconds from `since` to the tablet's first change to the screen (and ticket)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for change in tablet.evaluate("window.__screens"):
            if change["at"] >= since and change["screen"] == screen:
                if ticket is None or change["ticket"] == ticket:
                    return change["at"] - since
        time.sleep(0.05)
    raise AssertionError(f"the tablet never showed {screen} {ticket or ''}")


def test_a_tap_on_the_previous_visits_prompt_never_lands_on_it(
    live_server, two_browsers, window_five, screenshot_dir
):
    console, tablet = two_browsers
    open_console(console, live_server)
    open_tablet(tablet, live_server, window_five)

    # A101 is finished and not rated: the tablet offers it
    start(console, "A101")
    finished = finish(console)
    MEASURED["levels after 办结 (ms)"] = first_screen_after(tablet, finished, "rate", "A101")
    assert MEASURED["levels after 办结 (ms)"] < 1_000

    # the tablet's network stalls: it keeps showing A101 while A102 is served and finished
    tablet.route("**/api/v1/tablet/state", lambda route: route.abort())
    start(console, "A102")
    finish(console)
    expect(tablet.locator("#rate-ticket")).to_have_text("A101")
    time.sleep(0.3)

    # the citizen of A102 taps 非常不满意 on the prompt that still says A101
    tablet.click("#level-1")
    tablet.click("#reason-attitude")
    tablet.click("#reason-submit")

    # the server refuses it for A101 and the tablet shows A102's levels at once
    expect(tablet.locator("#screen-rate")).to_be_visible(timeout=2_000)
    expect(tablet.locator("#rate-ticket")).to_have_text("A102")
    assert read_db(Rating.objects.count) == 0
    tablet.screenshot(path=str(screenshot_dir / "race-tablet-after-refusal.png"))
    tablet.unroute("**/api/v1/tablet/state")

    # and the citizen's second tap rates A102, the visit they had
    time.sleep(1.6)  # the tablet ignores repeated taps within 1.5 s
    tablet.click("#level-1")
    tablet.click("#reason-attitude")
    tablet.click("#reason-submit")
    expect(tablet.locator("#screen-thanks")).to_be_visible()
    deadline = time.monotonic() + 5
    while not read_db(Rating.objects.exists):
        assert time.monotonic() < deadline, "the rating never arrived"
        time.sleep(0.1)
    rating = read_db(Rating.objects.select_related("visit").get)
    assert (rating.visit.ticket_no, rating.level) == ("A102", 1)
    assert read_db(Rating.objects.filter(visit__ticket_no="A101").count) == 0
    cases = read_db(
        lambda: list(Complaint.objects.values_list("rating__visit__ticket_no", flat=True))
    )
    assert cases == ["A102"]
    console.reload()
    console.screenshot(path=str(screenshot_dir / "race-console-after.png"), full_page=True)


def test_starting_the_next_visit_closes_the_prompt_at_once(
    live_server, two_browsers, window_five, screenshot_dir
):
    console, tablet = two_browsers
    open_console(console, live_server)
    open_tablet(tablet, live_server, window_five)

    start(console, "A103")
    finished = finish(console)
    MEASURED["levels after 办结, 2nd run (ms)"] = first_screen_after(
        tablet, finished, "rate", "A103"
    )
    expect(tablet.locator("#rate-ticket")).to_have_text("A103")

    started = start(console, "A104")
    MEASURED["prompt closed after 开始办理 (ms)"] = first_screen_after(tablet, started, "idle")
    assert MEASURED["prompt closed after 开始办理 (ms)"] < 1_000
    expect(tablet.locator("#screen-idle")).to_be_visible()
    expect(tablet.locator("#badge-no")).to_have_text("LH005")
    tablet.screenshot(path=str(screenshot_dir / "race-tablet-next-started.png"))
    console.screenshot(path=str(screenshot_dir / "race-console-serving.png"), full_page=True)

    # nothing can rate A103 any more, and A104 is in service, in no figure
    assert read_db(lambda: Visit.objects.get(ticket_no="A104").status) == Visit.Status.IN_SERVICE
    assert read_db(Rating.objects.count) == 0
    print("\nrace timings:", MEASURED)
