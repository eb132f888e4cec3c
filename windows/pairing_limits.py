"""Limits on guessing pairing codes, for every paired device: the rating tablets
(evaluations/tablet/pairing_limits.py) and the hall's screens (ticket kiosk, big screen).

A pairing code is 8 random digits, valid 15 minutes, and says nothing of its hall, so
attempts are limited where they come from, on counts every kind of device shares (an
address does not get ten guesses per kind):

* per client address: PAIRING_ATTEMPTS_PER_ADDRESS (10) failed attempts over a sliding
  PAIRING_WINDOW_MINUTES (15) and the address is refused (429) until the oldest of them is
  that old; a right code is refused too while the address is refused, or guessing would
  go on at the same pace. An attempt is counted before its code is tried (so concurrent
  requests cannot try more than the limit) and given back when the code was right: a
  manager pairing twenty devices behind one address is not stopped.
* everywhere: PAIRING_BURST_ALERT (30) failed or refused attempts in the window, from any
  number of addresses, is a burst: the managers of every hall with a code of that kind of
  device waiting to be used (the codes being guessed) get one email per hall per window.

Every failed and refused attempt is logged. The counts live in the shared cache
(windows/slot_counter.py), so they hold across processes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
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


def refusal_message(attempt: Attempt) -> str:
    return _(
        "Too many wrong pairing codes from this network. Try again in %(minutes)d minutes."
    ) % {"minutes": attempt.retry_after_minutes}


@dataclass(frozen=True)
class PairingGuard:
    """The limits for one kind of device: how it logs, whose codes a burst is guessing,
    and the alert its managers get."""

    logger: logging.Logger
    what: str  # the log lines' prefix: "pairing", "screen pairing"
    waiting_hall_ids: Callable[[], Iterable[int]]  # halls with a code of the kind waiting
    alerted_key: str  # one alert per hall and window: the key, formatted with the hall id
    alert_text: Callable[[Hall], tuple[str, str]]  # subject and body, in the site language

    def attempt_begin(self, request: HttpRequest) -> Attempt:
        """Count an attempt from the request's address; refused (and logged) over the limit."""
        address = client_address(request)
        outcome = slot_counter.hit(
            _address_key(address), limit=per_address(), window=window_seconds()
        )
        minutes = max(1, math.ceil(outcome.retry_after / 60))
        attempt = Attempt(address, outcome.allowed, outcome.slot, minutes)
        if not outcome.allowed:
            self.logger.warning(
                "%s refused: address=%s over %d attempts in %d min, retry in %d min",
                self.what,
                address,
                per_address(),
                settings.PAIRING_WINDOW_MINUTES,
                minutes,
            )
            self._count_towards_burst()
        return attempt

    def attempt_succeeded(self, attempt: Attempt) -> None:
        """A right code: the attempt is not held against the address."""
        slot_counter.give_back(attempt.slot)

    def attempt_failed(self, attempt: Attempt) -> None:
        """A wrong (or expired, or malformed) code: the attempt stays counted; logged."""
        used = slot_counter.count(_address_key(attempt.address), limit=per_address())
        self.logger.warning(
            "%s code wrong: address=%s attempt %d of %d in %d min",
            self.what,
            attempt.address,
            used,
            per_address(),
            settings.PAIRING_WINDOW_MINUTES,
        )
        self._count_towards_burst()

    def _count_towards_burst(self) -> None:
        outcome = slot_counter.hit(BURST_KEY, limit=burst_alert_at(), window=window_seconds())
        if not outcome.allowed:  # the window holds a burst's worth already
            self.burst_alert()

    def burst_alert(self) -> list[int]:
        """Email the managers of each hall with a code waiting, once per hall and window.

        Returns the ids of the halls alerted now.
        """
        hall_ids = sorted(set(self.waiting_hall_ids()))
        if not hall_ids:
            self.logger.error(
                "%s burst: no hall has a pairing code waiting; nobody to alert", self.what
            )
            return []
        alerted = []
        for hall in Hall.objects.filter(pk__in=hall_ids).order_by("pk"):
            if cache.add(self.alerted_key.format(hall.pk), True, timeout=window_seconds()):
                alerted.append(hall.pk)
                self._send_burst_alert(hall)
        return alerted

    def _send_burst_alert(self, hall: Hall) -> None:
        emails = contacts.user_emails(roles.hall_managers(hall))
        self.logger.error(
            "%s burst: %d or more wrong pairing codes in %d min; alerting hall %s (%d emails)",
            self.what,
            burst_alert_at(),
            settings.PAIRING_WINDOW_MINUTES,
            hall.code,
            len(emails),
        )
        if not emails:
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = self.alert_text(hall)
        try:
            send_mail(subject, body, None, emails)
        except Exception:  # the attacker's request must not fail on the mail server
            self.logger.exception(
                "%s burst: the alert to hall %s could not be sent", self.what, hall.code
            )


# --- the hall's screens ---------------------------------------------------------------


def _screens_waiting_hall_ids() -> Iterable[int]:
    return HallDevice.objects.filter(
        pairing_expires_at__gt=timezone.now(),
        token_hash__isnull=True,
        revoked_at__isnull=True,
    ).values_list("hall_id", flat=True)


def _screens_alert_text(hall: Hall) -> tuple[str, str]:
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
    return subject, body


SCREENS = PairingGuard(
    logger=logging.getLogger("windows.pairing"),
    what="screen pairing",
    waiting_hall_ids=_screens_waiting_hall_ids,
    alerted_key="pairing:screens-alerted:{}",
    alert_text=_screens_alert_text,
)

# The screens' pairing pages (the kiosk's, the big screen's) call these.
attempt_begin = SCREENS.attempt_begin
attempt_succeeded = SCREENS.attempt_succeeded
attempt_failed = SCREENS.attempt_failed
burst_alert = SCREENS.burst_alert
