"""The live version of a window: what its tablet (and later its screens) show changes.

Every write that changes what a window's live screens show raises the window's
`live_version` in the same transaction: signing in or out, a visit started, ended or put
back, a visit abandoned, a rating stored, an import that wrote visits at the window. A
screen polls with the version it has (an ETag); an unchanged version is answered 304
without computing the state, so polling every 0.4 s costs one indexed read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from windows.models import Window


def _raise_version(field: str, ids: Iterable[int]) -> None:
    wanted = sorted({int(pk) for pk in ids if pk})
    if wanted:
        Window.objects.filter(**{f"{field}__in": wanted}).update(live_version=F("live_version") + 1)


def windows_touch(window_ids: Iterable[int]) -> None:
    """Raise the live version of the windows (ids), so their screens refresh."""
    _raise_version("pk", window_ids)


def window_touch(window_id: int) -> None:
    windows_touch([window_id])


def halls_touch(hall_ids: Iterable[int]) -> None:
    """Raise the live version of every window of the halls (after an import wrote visits)."""
    _raise_version("hall_id", hall_ids)
