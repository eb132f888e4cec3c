"""Citizens' phone numbers are personal data: masked for everyone without a need to call.

Whoever may call the complainant back sees the number: the case's handler and the
managers of its hall. Everyone else (supervisors, other halls, window staff) sees
138****1234. The rules live in windows.roles (one place for who may act); this module
keeps the names the complaint pages and services import.
"""

from __future__ import annotations

from windows.roles import (
    SHORTEST_PARTLY_SHOWN,
    mask_phone,
    may_see_phone,
    phone_shower,
    phone_visibility,
    shown_phone,
)

__all__ = [
    "SHORTEST_PARTLY_SHOWN",
    "mask_phone",
    "may_see_phone",
    "phone_shower",
    "phone_visibility",
    "shown_phone",
]
