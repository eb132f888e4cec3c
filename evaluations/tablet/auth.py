"""How a rating tablet proves who it is: its device token, never a staff password.

The token travels in the `hall_device` cookie (the tablet's kiosk browser, set at
pairing) or in an `Authorization: Device <token>` header (integrations, tests).
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from evaluations.models import TabletDevice
from evaluations.services.devices import tablet_for_token
from windows.pairing import device_seen

DEVICE_COOKIE = "hall_device"
HEADER_PREFIX = "Device "


def device_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith(HEADER_PREFIX):
        return header.removeprefix(HEADER_PREFIX).strip()
    return request.COOKIES.get(DEVICE_COOKIE, "")


def device_from_request(request: HttpRequest) -> TabletDevice | None:
    """The paired, unrevoked tablet making the request, or None."""
    device = tablet_for_token(device_token(request))
    if device is not None:
        device_seen(device)
    return device


def device_required(view):
    """For the tablet's JSON endpoints: 401 unless a usable tablet calls; sets request.device."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        device = device_from_request(request)
        if device is None:
            return JsonResponse(
                {"error": "device_not_paired", "message": _("This tablet is not paired.")},
                status=401,
            )
        request.device = device
        return view(request, *args, **kwargs)

    return wrapper


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """DRF authentication for tablets: request.user stays anonymous, request.auth is the device."""

    def authenticate(self, request):
        token = device_token(request)
        if not token:
            return None
        device = device_from_request(request)
        if device is None:
            raise exceptions.AuthenticationFailed(_("This tablet is not paired."))
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), device

    def authenticate_header(self, request) -> str:
        return "Device"
