"""Absolute links to the portal, for what is read outside a page: emails and printed links.

One rule: the portal's address is settings.PORTAL_BASE_URL (hall/settings/portal.py), never
the host of whatever request happened to run the code, so a link in a duty alert, a daily
reminder, a bulletin email, a password reset or a command's output opens the same portal.
Templates use the `links` tag library (windows/templatetags/links.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """The portal's absolute URL of a path (`/complaints/1/` → `https://host/complaints/1/`).

    A path that is already an absolute http(s) URL is returned unchanged.
    """
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/{path.lstrip('/')}"


def portal_url(viewname: str, *args, query: dict | None = None, **kwargs) -> str:
    """reverse() made absolute, with an optional query string."""
    path = reverse(viewname, args=args or None, kwargs=kwargs or None)
    if query:
        path = f"{path}?{urlencode(query)}"
    return absolute_url(path)
