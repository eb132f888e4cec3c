"""Rows the big screen's tests need: a hall with a queue, paired screens, served tickets."""

from __future__ import annotations

from datetime import datetime, time

from evaluations.models import Rating
from evaluations.services.ratings import rating_record
from tests.windows.factories import ServiceItemFactory, StaffFactory, WindowFactory, ZoneFactory
from windows.hall_devices import COOKIES, hall_device_issue_pairing_code, hall_device_pair
from windows.models import Hall, HallDevice, QueueCategory, ServiceItem, Visit, WindowSession
from windows.queue.defaults import default_categories_create
from windows.queue.services import ticket_call_next, ticket_start
from windows.services import visit_finish, window_sign_in


def queue_hall(
    hall: Hall, *, numbers=(5, 7), now: datetime | None = None
) -> tuple[QueueCategory, dict[int, WindowSession]]:
    """Hall with general zone 社保通办, its windows (signed in at `now`) and category A,
    which issues tickets all day long (the API tests run at any hour)."""
    zone = ZoneFactory(hall=hall, name="社保通办", kind="general")
    sessions = {}
    for number in numbers:
        window = WindowFactory(hall=hall, number=number, zone=zone, name=f"社保通办{number}号窗口")
        staff = StaffFactory(hall=hall, badge_no=f"{hall.code}{number:03d}")
        sessions[number] = window_sign_in(staff=staff, window=window, now=now)
    default_categories_create(hall=hall)
    category = QueueCategory.objects.get(hall=hall, prefix="A")
    category.opens_at, category.closes_at = time(0, 0), time(23, 59, 59)
    category.save()
    return category, sessions


def paired_display(hall: Hall, *, kind: str = HallDevice.Kind.DISPLAY) -> tuple[HallDevice, str]:
    """A screen of the hall (a big screen unless told), paired, and its device token."""
    _device, code = hall_device_issue_pairing_code(hall=hall, kind=kind)
    return hall_device_pair(code=code, kind=kind)


def as_display(client, token: str):
    client.cookies[COOKIES[HallDevice.Kind.DISPLAY]] = token
    return client


def serve(
    session: WindowSession,
    *,
    called: datetime | None = None,
    finished: datetime | None = None,
    level: int | None = None,
) -> Visit:
    """The window calls its next ticket and starts serving it; with `finished` it ends
    then, and with a level the citizen rates it."""
    visit = ticket_call_next(session=session, now=called)
    item = ServiceItem.objects.filter(code="D01").first() or ServiceItemFactory(code="D01")
    visit = ticket_start(session=session, visit=visit, service_items=[item], now=called)
    if finished is None:
        return visit
    visit = visit_finish(session=session, visit=visit, now=finished)
    if level is not None:
        rating_record(visit=visit, level=level, source=Rating.Source.API, rated_at=finished)
    return visit
