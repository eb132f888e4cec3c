"""The admin site for hall managers: every hall-owned admin is scoped to the user's halls.

Importing the modules registers their admins with the default site.
"""

from windows.admin import (
    appointments,
    calendar,
    catalog,
    halls,
    lockouts,
    queue,
    regions,
    staff,
    visits,
    windows,
)

__all__ = [
    "appointments",
    "calendar",
    "catalog",
    "halls",
    "lockouts",
    "queue",
    "regions",
    "staff",
    "visits",
    "windows",
]
