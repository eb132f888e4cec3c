"""The hall's own screens (the ticket kiosk, the big screen): pairing and who is calling.

They pair like a rating tablet: a manager gets a one-time code, the screen exchanges it
for a device token kept in a cookie of its own kind (a kiosk's token opens no big screen,
and neither opens a tablet). Only hashes of codes and tokens are stored; revoking a
screen makes its token worthless at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from windows.models import Hall, HallDevice

PAIRING_CODE_VALID_FOR = timedelta(minutes=15)
PAIRING_CODE_DIGITS = 8
LAST_SEEN_EVERY_SECONDS = 30
HEADER_PREFIX = "Device "
COOKIES = {HallDevice.Kind.KIOSK: "hall_kiosk", HallDevice.Kind.DISPLAY: "hall_display"}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def hall_device_issue_pairing_code(
    *, hall: Hall, kind: str, label: str = ""
) -> tuple[HallDevice, str]:
    """A new screen of the hall and its one-time pairing code (shown once to the manager)."""
    code = "".join(secrets.choice("0123456789") for _ in range(PAIRING_CODE_DIGITS))
    device = HallDevice.objects.create(
        hall=hall,
        kind=kind,
        label=label,
        pairing_code_hash=hash_secret(code),
        pairing_expires_at=timezone.now() + PAIRING_CODE_VALID_FOR,
    )
    return device, code


@transaction.atomic
def hall_device_pair(*, code: str, kind: str) -> tuple[HallDevice, str]:
    """Exchange a valid pairing code of a screen of this kind for its device token."""
    code = (code or "").strip().replace(" ", "")
    device = (
        HallDevice.objects.select_for_update()
        .filter(
            kind=kind,
            pairing_code_hash=hash_secret(code),
            pairing_expires_at__gt=timezone.now(),
            revoked_at__isnull=True,
            token_hash__isnull=True,
        )
        .first()
        if code
        else None
    )
    if device is None:
        raise ValidationError(_("The pairing code is wrong or has expired."))
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    device.token_hash = hash_secret(token)
    device.pairing_code_hash = ""
    device.pairing_expires_at = None
    device.paired_at = now
    device.last_seen_at = now
    device.save()
    return device, token


@transaction.atomic
def hall_device_revoke(*, device: HallDevice) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])


def hall_device_for_token(token: str, *, kind: str) -> HallDevice | None:
    """The usable screen of this kind a token belongs to, or None."""
    if not token:
        return None
    return (
        HallDevice.objects.usable()
        .select_related("hall")
        .filter(kind=kind, token_hash=hash_secret(token))
        .first()
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
        now = timezone.now()
        if device.last_seen_at is None or (
            (now - device.last_seen_at).total_seconds() > LAST_SEEN_EVERY_SECONDS
        ):
            HallDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
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
