"""The portal's own address, for the links that leave a page: emails and printed links.

An email (duty alert, daily reminder, bulletin, password reset) and a command's output
(tablet_pairing_code, demo_logins) are read where no request tells the portal its
address, so every such link is made absolute from PORTAL_BASE_URL (windows/links.py):

- PORTAL_BASE_URL: the address users open, e.g. `https://hall.example.internal` (a path
  is allowed when the portal is served below one). **Required in production**
  (hall/settings/production.py checks it). The embedded default is
  `http://127.0.0.1:$PORT`, the address `make run` serves (PORT, 8000 unless set).
"""

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

__all__ = ["PORTAL_BASE_URL"]

_env = environ.Env()


def checked_base_url(value: str) -> str:
    """The base URL without its trailing slash; ImproperlyConfigured unless it is an
    http(s) URL with a host and no query or fragment."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"PORTAL_BASE_URL must be an http:// or https:// address with a host, "
            f"such as https://hall.example.internal, not {value!r}"
        )
    if parts.query or parts.fragment:
        raise ImproperlyConfigured(f"PORTAL_BASE_URL must not have a query or fragment: {value!r}")
    return value.strip().rstrip("/")


def default_base_url() -> str:
    """`make run`'s address: http://127.0.0.1:$PORT (8000 when PORT is unset or no port)."""
    port = _env("PORT", default="8000").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        port = "8000"  # scripts/run.py refuses such a PORT before anything starts
    return f"http://127.0.0.1:{port}"


PORTAL_BASE_URL = checked_base_url(_env("PORTAL_BASE_URL", default="") or default_base_url())
