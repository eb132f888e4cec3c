"""Limits on the public booking page, per client address: a rate limit and a challenge.

The page needs no login and may face the internet, so what one address may do is counted
in the shared cache (windows/slot_counter.py, a sliding window of slots):

* BOOKING_ATTEMPTS_PER_ADDRESS (10) bookings, and as many cancellations, per address over
  BOOKING_WINDOW_MINUTES (60); over it the address is refused (429) until the oldest
  attempt is that old. An attempt is counted before it is tried, so concurrent requests
  cannot try more than the limit.
* after BOOKING_CHALLENGE_AFTER (3) attempts of either kind in the window, every further
  one needs the answer to a small sum shown on the page, kept in the session (one use).

Addresses are logged on a refusal; phone numbers and codes never are.
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from windows import slot_counter

logger = logging.getLogger("windows.booking")

BOOK = "book"
CANCEL = "cancel"
CHALLENGE_SESSION_KEY = "booking_challenge"


def per_address() -> int:
    return getattr(settings, "BOOKING_ATTEMPTS_PER_ADDRESS", 10)


def challenge_after() -> int:
    return getattr(settings, "BOOKING_CHALLENGE_AFTER", 3)


def window_seconds() -> int:
    return getattr(settings, "BOOKING_WINDOW_MINUTES", 60) * 60


def client_address(request: HttpRequest) -> str:
    """The address the request came from (the proxy's, behind one: it must not be spoofable)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


# --- the sliding window (windows/slot_counter.py) ------------------------------------


def _key(kind: str, address: str) -> str:
    return f"booking:{kind}:{address}"


@dataclass(frozen=True)
class Attempt:
    allowed: bool
    retry_after_minutes: int


def attempt_begin(request: HttpRequest, kind: str) -> Attempt:
    """Count an attempt of the kind (BOOK or CANCEL) from the request's address."""
    address = client_address(request)
    outcome = slot_counter.hit(_key(kind, address), limit=per_address(), window=window_seconds())
    if outcome.allowed:
        return Attempt(allowed=True, retry_after_minutes=0)
    minutes = max(1, math.ceil(outcome.retry_after / 60))
    logger.warning("booking %s refused: address=%s, retry in %d min", kind, address, minutes)
    return Attempt(allowed=False, retry_after_minutes=minutes)


def attempts_made(request: HttpRequest) -> int:
    """The address's bookings and cancellations in the window."""
    address = client_address(request)
    return sum(
        slot_counter.count(_key(kind, address), limit=per_address()) for kind in (BOOK, CANCEL)
    )


def refusal_message(attempt: Attempt) -> str:
    return _("Too many attempts from this network. Try again in %(minutes)d minutes.") % {
        "minutes": attempt.retry_after_minutes
    }


# --- the challenge --------------------------------------------------------------------


def challenge_required(request: HttpRequest) -> bool:
    return attempts_made(request) >= challenge_after()


def challenge_question(request: HttpRequest) -> str:
    """A new sum to answer (its answer kept in the session), e.g. "7 + 5 = ?"."""
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    request.session[CHALLENGE_SESSION_KEY] = first + second
    return f"{first} + {second} = ?"


def challenge_passed(request: HttpRequest, answer: str | None) -> bool:
    """Whether the answer is the sum last shown; a sum is answered once, right or wrong."""
    expected = request.session.pop(CHALLENGE_SESSION_KEY, None)
    answer = (answer or "").strip()
    return expected is not None and answer.isdigit() and int(answer) == expected
