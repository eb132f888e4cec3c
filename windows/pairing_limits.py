"""Limits on guessing the pairing codes of the hall's screens (ticket kiosk, big screen).

The same rules as the rating tablets' codes (evaluations/tablet/pairing_limits.py), on the
same counts: a failed attempt at a screen's code and one at a tablet's code fill the same
per-address and burst counters in the shared cache (the keys below are the tablet's), so
an address does not get ten guesses per kind of device.

* per client address: PAIRING_ATTEMPTS_PER_ADDRESS (10) failed attempts over a sliding
  PAIRING_WINDOW_MINUTES (15), and the address is refused (429) until the oldest of them
  is that old, a right code too. An attempt is counted before its code is tried and given
  back when the code was right.
* everywhere: PAIRING_BURST_ALERT (30) failed or refused attempts in the window is a
  burst: the managers of every hall with a screen's code waiting get one email per hall
  per window.

Every failed and refused attempt is logged (logger "windows.pairing").
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from windows import contacts, roles, slot_counter
from windows.links import portal_url
from windows.models import Hall, HallDevice

logger = logging.getLogger("windows.pairing")

BURST_KEY = "pairing:failed:all"  # shared with the tablets' codes


def per_address() -> int:
    return settings.PAIRING_ATTEMPTS_PER_ADDRESS


def burst_alert_at() -> int:
    return settings.PAIRING_BURST_ALERT


def window_seconds() -> int:
    return settings.PAIRING_WINDOW_MINUTES * 60


def client_address(request: HttpRequest) -> str:
    """The address the request came from (the proxy's, behind one: it must not be spoofable)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _address_key(address: str) -> str:
    return f"pairing:failed:address:{address}"  # shared with the tablets' codes


@dataclass(frozen=True)
class Attempt:
    address: str
    allowed: bool
    slot: str | None
    retry_after_minutes: int


def attempt_begin(request: HttpRequest) -> Attempt:
    """Count an attempt from the request's address; refused (and logged) over the limit."""
    address = client_address(request)
    outcome = slot_counter.hit(_address_key(address), limit=per_address(), window=window_seconds())
    minutes = max(1, math.ceil(outcome.retry_after / 60))
    attempt = Attempt(address, outcome.allowed, outcome.slot, minutes)
    if not outcome.allowed:
        logger.warning(
            "screen pairing refused: address=%s over %d attempts in %d min, retry in %d min",
            address,
            per_address(),
            settings.PAIRING_WINDOW_MINUTES,
            minutes,
        )
        _count_towards_burst()
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """A right code: the attempt is not held against the address."""
    slot_counter.give_back(attempt.slot)


def attempt_failed(attempt: Attempt) -> None:
    """A wrong (or expired, or malformed) code: the attempt stays counted; logged."""
    used = slot_counter.count(_address_key(attempt.address), limit=per_address())
    logger.warning(
        "screen pairing code wrong: address=%s attempt %d of %d in %d min",
        attempt.address,
        used,
        per_address(),
        settings.PAIRING_WINDOW_MINUTES,
    )
    _count_towards_burst()


def refusal_message(attempt: Attempt) -> str:
    return _(
        "Too many wrong pairing codes from this network. Try again in %(minutes)d minutes."
    ) % {"minutes": attempt.retry_after_minutes}


def _count_towards_burst() -> None:
    outcome = slot_counter.hit(BURST_KEY, limit=burst_alert_at(), window=window_seconds())
    if not outcome.allowed:
        burst_alert()


def burst_alert() -> list[int]:
    """Email the managers of each hall with a screen's code waiting, once per hall and
    window; the ids of the halls alerted now."""
    hall_ids = sorted(
        set(
            HallDevice.objects.filter(
                pairing_expires_at__gt=timezone.now(),
                token_hash__isnull=True,
                revoked_at__isnull=True,
            ).values_list("hall_id", flat=True)
        )
    )
    if not hall_ids:
        logger.error("screen pairing burst: no hall has a screen's code waiting; nobody to alert")
        return []
    alerted = []
    for hall in Hall.objects.filter(pk__in=hall_ids).order_by("pk"):
        if cache.add(f"pairing:screens-alerted:{hall.pk}", True, timeout=window_seconds()):
            alerted.append(hall.pk)
            _send_burst_alert(hall)
    return alerted


def _send_burst_alert(hall: Hall) -> None:
    emails = contacts.user_emails(roles.hall_managers(hall))
    logger.error(
        "screen pairing burst: %d or more wrong pairing codes in %d min; "
        "alerting hall %s (%d emails)",
        burst_alert_at(),
        settings.PAIRING_WINDOW_MINUTES,
        hall.code,
        len(emails),
    )
    if not emails:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(hall)s] Pairing codes of the hall's screens are being guessed") % {
            "hall": hall.name
        }
        body = _(
            "%(count)d or more wrong pairing codes were entered in the last %(minutes)d "
            "minutes, while a pairing code of a screen of %(hall)s (ticket kiosk or big "
            "screen) is waiting to be used.\n\nIf nobody in the hall is pairing screens, "
            "revoke the waiting codes in the management pages (Hall screens) and issue new "
            "ones when needed. Each address that sent more than %(per_address)d wrong codes "
            "is refused for %(minutes)d minutes."
        ) % {
            "count": burst_alert_at(),
            "minutes": settings.PAIRING_WINDOW_MINUTES,
            "hall": hall.name,
            "per_address": per_address(),
        }
        body += "\n\n" + _("Hall screens: %(link)s") % {
            "link": portal_url("admin:windows_halldevice_changelist")
        }
    try:
        send_mail(subject, body, None, emails)
    except Exception:  # the attacker's request must not fail on the mail server
        logger.exception("screen pairing burst: the alert to hall %s could not be sent", hall.code)
