"""Rows the tablet tests need: visits finished just now, paired tablets, window sign-ins."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from evaluations.models import TabletDevice
from evaluations.services.devices import tablet_issue_pairing_code, tablet_pair
from evaluations.tablet.auth import DEVICE_COOKIE
from tests.windows.factories import VisitFactory
from windows.live import window_touch
from windows.models import Staff, Visit, Window, WindowSession

SHANGHAI = ZoneInfo("Asia/Shanghai")


def finished_visit(window: Window, *, seconds_ago: float = 5, **kwargs) -> Visit:
    """A completed visit at the window that finished `seconds_ago` seconds ago."""
    finished_at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    started_at = finished_at - dt.timedelta(minutes=8)
    visit = VisitFactory(
        hall=window.hall,
        window=window,
        started_at=started_at,
        finished_at=finished_at,
        service_date=started_at.astimezone(SHANGHAI).date(),
        **kwargs,
    )
    window_touch(window.pk)  # as the console's visit_finish does: the tablet refreshes
    return visit


def paired_tablet(window: Window, *, label: str = "") -> tuple[TabletDevice, str]:
    """A tablet paired with the window, and its device token."""
    _device, code = tablet_issue_pairing_code(window=window, label=label)
    return tablet_pair(code=code)


def as_tablet(client, token: str):
    client.cookies[DEVICE_COOKIE] = token
    return client


def sign_in(window: Window, staff: Staff) -> WindowSession:
    return WindowSession.objects.create(
        window=window, staff=staff, started_at=timezone.now() - dt.timedelta(hours=1)
    )
