"""Pairing and revoking rating tablets. Only hashes of codes and tokens are stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import TabletDevice
from windows.models import Window

PAIRING_CODE_VALID_FOR = timedelta(minutes=15)
PAIRING_CODE_DIGITS = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def tablet_issue_pairing_code(*, window: Window, label: str = "") -> tuple[TabletDevice, str]:
    """A new tablet for a window and its one-time pairing code (shown once to the manager)."""
    code = "".join(secrets.choice("0123456789") for _ in range(PAIRING_CODE_DIGITS))
    device = TabletDevice.objects.create(
        window=window,
        label=label,
        pairing_code_hash=hash_secret(code),
        pairing_expires_at=timezone.now() + PAIRING_CODE_VALID_FOR,
    )
    return device, code


@transaction.atomic
def tablet_pair(*, code: str) -> tuple[TabletDevice, str]:
    """Exchange a valid pairing code for the device token; the code then stops working.

    A window has one paired tablet: pairing a new one revokes the previous one.
    """
    code = code.strip().replace(" ", "")
    device = (
        TabletDevice.objects.select_for_update()
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
    now = timezone.now()
    TabletDevice.objects.usable().filter(window=device.window).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    device.token_hash = hash_secret(token)
    device.pairing_code_hash = ""
    device.pairing_expires_at = None
    device.paired_at = now
    device.last_seen_at = now
    device.save()
    return device, token


@transaction.atomic
def tablet_revoke(*, device: TabletDevice) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])


def tablet_for_token(token: str) -> TabletDevice | None:
    """The usable tablet a token belongs to, or None (unknown, revoked or empty token)."""
    if not token:
        return None
    return (
        TabletDevice.objects.usable()
        .select_related("window__hall")
        .filter(token_hash=hash_secret(token))
        .first()
    )
