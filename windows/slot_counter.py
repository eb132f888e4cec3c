"""Counting requests over a sliding window in the shared cache, exactly, across processes.

The portal's one counter: the hall screens' pairing limits (windows/pairing_limits.py),
the kiosk, the booking page and the tablet (evaluations/tablet/limits.py re-exports it).

Every process of the portal (gunicorn's workers, one machine or several) counts in the one
default cache (hall/settings/cache.py). A counter of N hits is N slots, `<key>:0` ..
`<key>:N-1`: a hit claims a free slot with `cache.add`, which only one caller can win on
the shared backends of hall/settings/cache.py (Redis: SET NX; the database cache: the
table's primary key), and each slot expires `window` seconds after it was claimed. So the
slots alive are the hits of the last `window` seconds, two processes never claim the same
slot, and no read-modify-write of a shared number can lose a hit (the database cache's
`incr` is a get and a set). Each slot holds the time it was claimed, for Retry-After.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Hit:
    allowed: bool  # a slot was free: this hit is counted
    slot: str | None  # the slot it took (to give it back), None when refused
    retry_after: float  # seconds until the oldest slot frees up (0 when allowed)


def _slots(key: str, limit: int) -> list[str]:
    return [f"{key}:{number}" for number in range(limit)]


def hit(key: str, *, limit: int, window: int) -> Hit:
    """Count one hit of `key` unless it had `limit` hits in the last `window` seconds."""
    slots = _slots(key, limit)
    now = time.time()
    taken = cache.get_many(slots)
    for slot in slots:
        if slot not in taken and cache.add(slot, now, timeout=window):
            return Hit(allowed=True, slot=slot, retry_after=0)
    return Hit(allowed=False, slot=None, retry_after=retry_after(key, limit=limit, window=window))


def retry_after(key: str, *, limit: int, window: int) -> float:
    """Seconds until `key` may hit again (0 if a slot is free now)."""
    taken = cache.get_many(_slots(key, limit))
    if len(taken) < limit:
        return 0
    return max(0.0, min(taken.values()) + window - time.time())


def count(key: str, *, limit: int) -> int:
    """How many of the `limit` slots are taken (the hits of the window, at most `limit`)."""
    return len(cache.get_many(_slots(key, limit)))


def give_back(slot: str | None) -> None:
    """Uncount a hit (e.g. the attempt turned out to be allowed free of charge)."""
    if slot:
        cache.delete(slot)
