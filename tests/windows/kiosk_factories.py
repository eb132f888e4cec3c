"""Rows and clients the kiosk tests share: a hall with categories, paired screens, a clock."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from tests.windows.factories import SHANGHAI
from windows.hall_devices import COOKIES, hall_device_issue_pairing_code, hall_device_pair
from windows.models import HallDevice

KIOSK_COOKIE = COOKIES[HallDevice.Kind.KIOSK]
DISPLAY_COOKIE = COOKIES[HallDevice.Kind.DISPLAY]


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def set_clock(monkeypatch, moment: dt.datetime) -> None:
    """Every timezone.now() of the portal answers `moment` (the kiosk's views take no now)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def paired(hall, kind: str = HallDevice.Kind.KIOSK, label: str = "") -> tuple[HallDevice, str]:
    """A screen of the hall, paired, and its device token."""
    _device, code = hall_device_issue_pairing_code(hall=hall, kind=kind, label=label)
    return hall_device_pair(code=code, kind=kind)


def as_kiosk(client, token: str):
    client.cookies[KIOSK_COOKIE] = token
    return client


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)
