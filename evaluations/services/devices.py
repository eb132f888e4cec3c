"""Pairing and revoking rating tablets (windows.pairing, the rule every paired device
follows)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from evaluations.models import TabletDevice
from windows.models import Window
from windows.pairing import (
    PAIRING_CODE_DIGITS,
    PAIRING_CODE_VALID_FOR,
    device_for_token,
    device_revoke,
    hash_secret,
    new_pairing_code,
    pairing_claim,
)

__all__ = ["PAIRING_CODE_DIGITS", "PAIRING_CODE_VALID_FOR", "hash_secret"]


@transaction.atomic
def tablet_issue_pairing_code(*, window: Window, label: str = "") -> tuple[TabletDevice, str]:
    """A new tablet for a window and its one-time pairing code (shown once to the manager)."""
    code, waiting = new_pairing_code()
    device = TabletDevice.objects.create(window=window, label=label, **waiting)
    return device, code


@transaction.atomic
def tablet_pair(*, code: str) -> tuple[TabletDevice, str]:
    """Exchange a valid pairing code for the device token; the code then stops working.

    A window has one paired tablet: pairing a new one revokes the previous one (before the
    new token is stored: the database allows one paired tablet per window).
    """

    def revoke_the_windows_tablet(device: TabletDevice) -> None:
        TabletDevice.objects.usable().filter(window=device.window_id).update(
            revoked_at=timezone.now()
        )

    return pairing_claim(
        TabletDevice.objects.all(), code=code, before_save=revoke_the_windows_tablet
    )


@transaction.atomic
def tablet_revoke(*, device: TabletDevice) -> None:
    device_revoke(device)


def tablet_for_token(token: str) -> TabletDevice | None:
    """The usable tablet a token belongs to, or None (unknown, revoked or empty token)."""
    return device_for_token(TabletDevice.objects.usable().select_related("window__hall"), token)
