"""Rounding of every figure the portal shows: half up (四舍五入), never banker's or down.

Percentages have 2 decimals (contracts.md section 3); averages and shares with 1 decimal
use `round_half_up(value, 1)`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PERCENT_PLACES = 2


def round_half_up(
    value: float | int | Decimal | None, places: int = PERCENT_PLACES
) -> float | None:
    """The value rounded half up to `places` decimals; None stays None."""
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def percent(part: int | float, whole: int | float, places: int = PERCENT_PLACES) -> float | None:
    """part / whole as a percentage, rounded half up to `places` decimals; None when whole is 0."""
    if not whole:
        return None
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return round_half_up(value, places)


def ratio(part: int | float, whole: int | float, places: int = 1) -> float | None:
    """part / whole (e.g. items per business day), half up; None when whole is 0."""
    if not whole:
        return None
    return round_half_up(Decimal(str(part)) / Decimal(str(whole)), places)


def percent_text(pct: float | int | Decimal | None, places: int = PERCENT_PLACES) -> str:
    """A percentage (97.1, from percent()) as every page, email and list shows it:
    rounded half up to `places` decimals with all of them written ("97.10%"); "—" for None.
    """
    if pct is None:
        return "—"
    return f"{round_half_up(pct, places):.{places}f}%"
