"""Pairing a device with a one-time code, the one rule of every paired device: the rating
tablets (evaluations.TabletDevice) and the hall's own screens (windows.HallDevice).

A manager gets a code shown once; the device exchanges it for a token it keeps. Only
hashes of the code and the token are stored, a code works once and for a short while, and
revoking a device makes its token worthless at once. The models share the fields used
here (pairing_code_hash, pairing_expires_at, token_hash, paired_at, revoked_at,
last_seen_at).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

PAIRING_CODE_VALID_FOR = timedelta(minutes=15)
PAIRING_CODE_DIGITS = 8
LAST_SEEN_EVERY_SECONDS = 30


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_pairing_code() -> tuple[str, dict]:
    """A fresh code, and the fields a device waiting for it is created with."""
    code = "".join(secrets.choice("0123456789") for _ in range(PAIRING_CODE_DIGITS))
    return code, {
        "pairing_code_hash": hash_secret(code),
        "pairing_expires_at": timezone.now() + PAIRING_CODE_VALID_FOR,
    }


def pairing_claim(devices: models.QuerySet, *, code: str, before_save=None):
    """The device of `devices` waiting for this valid code, given its token (saved); the
    code then stops working. Call inside a transaction (the row is locked).
    `before_save(device)` runs once the code is found valid, before the token is stored."""
    code = (code or "").strip().replace(" ", "")
    device = (
        devices.select_for_update()
        .filter(
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
    if before_save is not None:
        before_save(device)
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    device.token_hash = hash_secret(token)
    device.pairing_code_hash = ""
    device.pairing_expires_at = None
    device.paired_at = now
    device.last_seen_at = now
    device.save()
    return device, token


def device_revoke(device) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])


def device_for_token(usable: models.QuerySet, token: str):
    """The device of `usable` (paired, not revoked) the token belongs to, or None."""
    if not token:
        return None
    return usable.filter(token_hash=hash_secret(token)).first()


def device_seen(device, now: datetime | None = None) -> None:
    """Note that the device called, at most every LAST_SEEN_EVERY_SECONDS (one write)."""
    now = now or timezone.now()
    seen = device.last_seen_at
    if seen is None or (now - seen).total_seconds() > LAST_SEEN_EVERY_SECONDS:
        type(device).objects.filter(pk=device.pk).update(last_seen_at=now)


def pairing_status(device) -> str:
    """What the admin lists show of a device."""
    if device.revoked_at is not None:
        return _("revoked")
    if device.token_hash is not None:
        return _("paired")
    return _("waiting for pairing")
