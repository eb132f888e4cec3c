"""How the portal names a person: by name, never by login.

A window staff member's login is their badge number in lower case (`lh005`); the name the
hall knows them by is their badge card's display name. Everyone else (managers,
supervisors) by their full name, and only without one by their username.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist


def person_name(user) -> str:
    """The staff card's display name, else the full name, else the username; "" for None."""
    if user is None:
        return ""
    try:
        profile = user.staff_profile
    except (AttributeError, ObjectDoesNotExist):
        profile = None
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()
