"""The admin site for hall managers: every hall-owned admin is scoped to the user's halls.

Importing the modules registers their admins with the default site.
"""

import windows.admin.appointments  # registers the booking admins
from windows.admin import calendar, catalog, halls, lockouts, queue, staff, visits, windows

__all__ = ["calendar", "catalog", "halls", "lockouts", "queue", "staff", "visits", "windows"]
