"""Limits on guessing pairing codes: per client address, and a burst alert to the managers.

A pairing code is 8 random digits, valid 15 minutes, and says nothing of its hall, so
attempts are limited where they come from:

* per client address: PAIRING_ATTEMPTS_PER_ADDRESS (10) failed attempts over a sliding
  PAIRING_WINDOW_MINUTES (15) and the address is refused (429) until the oldest of them is
  that old; a right code is refused too while the address is refused, or guessing would
  go on at the same pace. An attempt is counted before its code is tried (so concurrent
  requests cannot try more than the limit) and given back when the code was right: a
  manager pairing twenty tablets behind one address is not stopped.
* everywhere: PAIRING_BURST_ALERT (30) failed or refused attempts in the window, from any
  number of addresses, is a burst: the managers of every hall with a code waiting to be
  used (the codes being guessed) get one email per hall per window.

Every failed and refused attempt is logged (logger "evaluations.pairing"). The counts live
in the shared cache (evaluations/tablet/limits.py), so they hold across processes.
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

from evaluations.models import TabletDevice
from evaluations.tablet import limits
from windows import contacts, roles
from windows.links import portal_url
from windows.models import Hall

logger = logging.getLogger("evaluations.pairing")

BURST_KEY = "pairing:failed:all"


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
    return f"pairing:failed:address:{address}"


@dataclass(frozen=True)
class Attempt:
    address: str
    allowed: bool
    slot: str | None
    retry_after_minutes: int


def attempt_begin(request: HttpRequest) -> Attempt:
    """Count an attempt from the request's address; refused (and logged) over the limit."""
    address = client_address(request)
    outcome = limits.hit(_address_key(address), limit=per_address(), window=window_seconds())
    minutes = max(1, math.ceil(outcome.retry_after / 60))
    attempt = Attempt(address, outcome.allowed, outcome.slot, minutes)
    if not outcome.allowed:
        logger.warning(
            "pairing refused: address=%s over %d attempts in %d min, retry in %d min",
            address,
            per_address(),
            settings.PAIRING_WINDOW_MINUTES,
            minutes,
        )
        _count_towards_burst()
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """A right code: the attempt is not held against the address."""
    limits.give_back(attempt.slot)


def attempt_failed(attempt: Attempt) -> None:
    """A wrong (or expired, or malformed) code: the attempt stays counted; logged."""
    used = limits.count(_address_key(attempt.address), limit=per_address())
    logger.warning(
        "pairing code wrong: address=%s attempt %d of %d in %d min",
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
    outcome = limits.hit(BURST_KEY, limit=burst_alert_at(), window=window_seconds())
    if not outcome.allowed:  # the window holds a burst's worth already
        burst_alert()


def burst_alert() -> list[int]:
    """Email the managers of each hall with a pairing code waiting, once per hall and window.

    Returns the ids of the halls alerted now.
    """
    hall_ids = sorted(
        set(
            TabletDevice.objects.filter(
                pairing_expires_at__gt=timezone.now(),
                token_hash__isnull=True,
                revoked_at__isnull=True,
            ).values_list("window__hall_id", flat=True)
        )
    )
    if not hall_ids:
        logger.error("pairing burst: no hall has a pairing code waiting; nobody to alert")
        return []
    alerted = []
    for hall in Hall.objects.filter(pk__in=hall_ids).order_by("pk"):
        if cache.add(f"pairing:alerted:{hall.pk}", True, timeout=window_seconds()):
            alerted.append(hall.pk)
            _send_burst_alert(hall)
    return alerted


def _send_burst_alert(hall: Hall) -> None:
    emails = contacts.user_emails(roles.hall_managers(hall))
    logger.error(
        "pairing burst: %d or more wrong pairing codes in %d min; alerting hall %s (%d emails)",
        burst_alert_at(),
        settings.PAIRING_WINDOW_MINUTES,
        hall.code,
        len(emails),
    )
    if not emails:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(hall)s] Pairing codes are being guessed") % {"hall": hall.name}
        body = _(
            "%(count)d or more wrong tablet pairing codes were entered in the last "
            "%(minutes)d minutes, while a pairing code of %(hall)s is waiting to be used.\n\n"
            "If nobody in the hall is pairing tablets, revoke the waiting codes in the "
            "management pages (Rating tablets) and issue new ones when needed. Each address "
            "that sent more than %(per_address)d wrong codes is refused for %(minutes)d "
            "minutes."
        ) % {
            "count": burst_alert_at(),
            "minutes": settings.PAIRING_WINDOW_MINUTES,
            "hall": hall.name,
            "per_address": per_address(),
        }
        body += "\n\n" + _("Rating tablets: %(link)s") % {
            "link": portal_url("admin:evaluations_tabletdevice_changelist")
        }
    try:
        send_mail(subject, body, None, emails)
    except Exception:  # the attacker's request must not fail on the mail server
        logger.exception("pairing burst: the alert to hall %s could not be sent", hall.code)
