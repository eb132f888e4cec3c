"""The public booking page in Chromium: book a slot end to end, cancel it, the quiet hours,
the large-text mode kept after a reload, phones (390 px) and desktops (1366 px)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import read_db
from tests.windows.factories import SHANGHAI, HallFactory, VisitFactory, WindowFactory
from windows.booking.selectors import bookable_days
from windows.models import Appointment, AppointmentSlot, QueueCategory, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"width": 1366, "height": 900}
PHONE_SIZE = {"width": 390, "height": 844}
PHONE = "13812345678"
# The hall's tickets per hour on a business day: quiet at 11 and 16 o'clock.
HISTORY = {8: 6, 9: 14, 10: 12, 11: 3, 12: 5, 13: 9, 14: 11, 15: 7, 16: 2}


@pytest.fixture
def hall():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅", address="雄州街道龙池路 1 号")
    social = QueueCategory.objects.create(hall=hall, name="社保通办", prefix="A", sort_order=1)
    QueueCategory.objects.create(hall=hall, name="医保业务", prefix="B", sort_order=2)
    for category in QueueCategory.objects.filter(hall=hall):
        for hour, minute, capacity in [(9, 0, 4), (9, 30, 4), (10, 0, 2), (11, 0, 3), (14, 0, 4)]:
            start = dt.time(hour, minute)
            end = (dt.datetime.combine(dt.date.today(), start) + dt.timedelta(minutes=30)).time()
            AppointmentSlot.objects.create(
                category=category, starts_at=start, ends_at=end, capacity=capacity
            )
    first_day = bookable_days(hall=hall)[0]
    full = AppointmentSlot.objects.get(category=social, starts_at=dt.time(10, 0))
    for number in range(2):
        starts = dt.datetime.combine(first_day, full.starts_at, tzinfo=SHANGHAI)
        Appointment.objects.create(
            hall=hall,
            category=social,
            slot=full,
            day=first_day,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            name="李四",
            phone=f"1390000000{number}",
            id_last4="0000",
            code=f"FULL{number:04d}",
        )
    history(hall, social)
    return hall


def history(hall, category):
    """Completed tickets on the weekdays of the last 8 weeks, HISTORY per hour."""
    window = WindowFactory(hall=hall, number=1)
    today = timezone.localdate(timezone=SHANGHAI)
    rows = []
    for back in range(1, 57):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for hour, count in HISTORY.items():
            for minute in range(count):
                issued = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
                rows.append(
                    VisitFactory.build(
                        hall=hall,
                        window=window,
                        category=category,
                        service_date=day,
                        issued_at=issued,
                        started_at=issued + dt.timedelta(minutes=5),
                    )
                )
    Visit.objects.bulk_create(rows)


def new_page(browser, *, viewport=DESKTOP, locale="zh-CN"):
    context = browser.new_context(locale=locale, timezone_id="Asia/Shanghai", viewport=viewport)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_citizen_books_a_slot_and_cancels_it(live_server, chromium_browser, screenshot_dir, hall):
    context, page = new_page(chromium_browser)
    try:
        page.goto(f"{live_server.url}/booking/")
        expect(page).to_have_url(f"{live_server.url}/booking/LH/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("#booking-hall")).to_have_text("六合区社会保障综合服务大厅")
        expect(page.locator("#booking-slots .booking-slot")).to_have_count(5)
        expect(page.locator("#slot-" + str(full_slot(hall).pk))).to_be_disabled()
        # the quiet hours: the category's history, 11 and 16 o'clock flagged
        expect(page.locator("#booking-bars .booking-bar-quiet .booking-bar-hour")).to_have_text(
            ["11:00", "16:00"]
        )
        page.screenshot(path=str(screenshot_dir / "booking-zh.png"), full_page=True)

        # choosing the second day and the second business reloads the times at once
        second_day = bookable_days(hall=hall)[1]
        page.click(f"label[for='day-{second_day.isoformat()}']")
        expect(page).to_have_url(
            f"{live_server.url}/booking/LH/?category="
            + str(social(hall).pk)
            + f"&day={second_day.isoformat()}"
        )
        expect(page.locator("#slot-" + str(full_slot(hall).pk))).to_be_enabled()

        slot = AppointmentSlot.objects.get(category=social(hall), starts_at=dt.time(11, 0))
        page.click(f"label[for='slot-{slot.pk}']")
        page.fill("#id_name", "张三")
        page.fill("#id_phone", PHONE)
        page.fill("#id_id_last4", "123x")
        page.click("#booking-submit")

        expect(page).to_have_url(f"{live_server.url}/booking/LH/done/")
        appointment = read_db(lambda: Appointment.objects.get(phone=PHONE))
        expect(page.locator("#booking-code")).to_have_text(appointment.code)
        expect(page.locator("#booking-phone")).to_have_text("138****5678")
        assert PHONE not in page.content()
        assert (appointment.day, appointment.slot_id, appointment.id_last4) == (
            second_day,
            slot.pk,
            "123X",
        )
        page.screenshot(path=str(screenshot_dir / "booking-confirm-zh.png"), full_page=True)

        # cancelling with the code and the phone
        page.click("#booking-done-cancel")
        page.screenshot(path=str(screenshot_dir / "booking-cancel-zh.png"))
        page.fill("#id_code", appointment.code.lower())
        page.fill("#id_phone", PHONE)
        page.click("#booking-cancel-submit")
        expect(page.locator("#booking-cancelled")).to_be_visible()
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CANCELLED
    finally:
        context.close()


def social(hall):
    return QueueCategory.objects.get(hall=hall, prefix="A")


def full_slot(hall):
    return AppointmentSlot.objects.get(category=social(hall), starts_at=dt.time(10, 0))


def test_large_text_is_kept_and_the_page_fits_phones_and_desktops(
    live_server, chromium_browser, screenshot_dir, hall
):
    context, page = new_page(chromium_browser)
    try:
        page.goto(f"{live_server.url}/booking/LH/")
        normal = page.evaluate(
            "getComputedStyle(document.querySelector('.booking-title')).fontSize"
        )
        toggle = page.locator("#booking-large")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        toggle.click()
        page.reload()
        expect(page.locator("html")).to_have_class("booking-large")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        large = page.evaluate("getComputedStyle(document.querySelector('.booking-title')).fontSize")
        assert (normal, large) == ("25.6px", "32px")
        assert no_sideways_scroll(page)
        page.screenshot(path=str(screenshot_dir / "booking-large-zh.png"), full_page=True)
    finally:
        context.close()

    context, page = new_page(chromium_browser, viewport=PHONE_SIZE)
    try:
        page.goto(f"{live_server.url}/booking/LH/")
        expect(page.locator("#booking-submit")).to_be_visible()
        assert no_sideways_scroll(page)
        page.screenshot(path=str(screenshot_dir / "booking-mobile-zh.png"), full_page=True)
    finally:
        context.close()

    context, page = new_page(chromium_browser, locale="en-US")
    try:
        page.goto(f"{live_server.url}/booking/LH/")
        expect(page.locator("h1")).to_have_text("Book a time at the hall")
        expect(page.locator("#booking-submit")).to_have_text("Book this time")
        assert no_sideways_scroll(page)
        page.screenshot(path=str(screenshot_dir / "booking-en.png"), full_page=True)
    finally:
        context.close()


def test_a_wrong_phone_is_explained_and_repeated_attempts_ask_a_sum(
    live_server, chromium_browser, screenshot_dir, hall, settings
):
    settings.BOOKING_CHALLENGE_AFTER = 1
    context, page = new_page(chromium_browser)
    try:
        page.goto(f"{live_server.url}/booking/LH/")
        slot = AppointmentSlot.objects.get(category=social(hall), starts_at=dt.time(14, 0))
        page.click(f"label[for='slot-{slot.pk}']")
        page.fill("#id_name", "张三")
        page.fill("#id_phone", "12812345678")
        page.fill("#id_id_last4", "1234")
        page.click("#booking-submit")

        expect(page.locator("#id_phone")).to_have_class(re.compile("is-invalid"))
        expect(page.locator("#id_phone")).to_have_value("12812345678")
        expect(page.locator("#slot-" + str(slot.pk))).to_be_checked()
        expect(page.locator("#booking-challenge")).to_be_visible()
        page.screenshot(path=str(screenshot_dir / "booking-error-zh.png"), full_page=True)
        assert read_db(lambda: Appointment.objects.filter(slot=slot).count()) == 0

        first, second = re.findall(r"\d+", page.locator("#booking-challenge strong").inner_text())
        page.fill("#id_phone", PHONE)
        page.fill("#id_challenge", str(int(first) + int(second)))
        page.click("#booking-submit")
        expect(page).to_have_url(f"{live_server.url}/booking/LH/done/")
        assert read_db(lambda: Appointment.objects.get(slot=slot).phone) == PHONE
    finally:
        context.close()
