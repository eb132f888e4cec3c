"""The hall's own screens (the ticket kiosk, the big screen): pairing and who is calling.

They pair like a rating tablet: a manager gets a one-time code, the screen exchanges it
for a device token kept in a cookie of its own kind (a kiosk's token opens no big screen,
and neither opens a tablet). Only hashes of codes and tokens are stored; revoking a
screen makes its token worthless at once.
"""

from __future__ import annotations

from functools import wraps

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from windows.models import Hall, HallDevice
from windows.pairing import (
    PAIRING_CODE_DIGITS,
    PAIRING_CODE_VALID_FOR,
    device_for_token,
    device_revoke,
    device_seen,
    hash_secret,
    new_pairing_code,
    pairing_claim,
)

__all__ = ["PAIRING_CODE_DIGITS", "PAIRING_CODE_VALID_FOR", "hash_secret"]

HEADER_PREFIX = "Device "
COOKIES = {HallDevice.Kind.KIOSK: "hall_kiosk", HallDevice.Kind.DISPLAY: "hall_display"}


@transaction.atomic
def hall_device_issue_pairing_code(
    *, hall: Hall, kind: str, label: str = ""
) -> tuple[HallDevice, str]:
    """A new screen of the hall and its one-time pairing code (shown once to the manager)."""
    code, waiting = new_pairing_code()
    device = HallDevice.objects.create(hall=hall, kind=kind, label=label, **waiting)
    return device, code


@transaction.atomic
def hall_device_pair(*, code: str, kind: str) -> tuple[HallDevice, str]:
    """Exchange a valid pairing code of a screen of this kind for its device token."""
    return pairing_claim(HallDevice.objects.filter(kind=kind), code=code)


@transaction.atomic
def hall_device_revoke(*, device: HallDevice) -> None:
    device_revoke(device)


def hall_device_for_token(token: str, *, kind: str) -> HallDevice | None:
    """The usable screen of this kind a token belongs to, or None."""
    return device_for_token(
        HallDevice.objects.usable().select_related("hall").filter(kind=kind), token
    )


def hall_device_token(request: HttpRequest, *, kind: str) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith(HEADER_PREFIX):
        return header.removeprefix(HEADER_PREFIX).strip()
    return request.COOKIES.get(COOKIES[kind], "")


def hall_device_from_request(request: HttpRequest, *, kind: str) -> HallDevice | None:
    """The paired, unrevoked screen of this kind making the request, or None."""
    device = hall_device_for_token(hall_device_token(request, kind=kind), kind=kind)
    if device is not None:
        device_seen(device)
    return device


def hall_device_required(kind: str):
    """For a screen's JSON endpoints: 401 unless a usable screen of this kind calls;
    sets request.hall_device."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            device = hall_device_from_request(request, kind=kind)
            if device is None:
                return JsonResponse(
                    {"error": "device_not_paired", "message": _("This screen is not paired.")},
                    status=401,
                )
            request.hall_device = device
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
