"""Limits on guessing the rating tablets' pairing codes: windows/pairing_limits.py's rules
(per address, a burst alert to the managers), on the counts every paired device shares;
here only what is the tablets' own: their waiting codes, their log and their alert.

Every failed and refused attempt is logged (logger "evaluations.pairing").
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import TabletDevice
from windows.links import portal_url
from windows.models import Hall
from windows.pairing_limits import (
    BURST_KEY,
    Attempt,
    PairingGuard,
    burst_alert_at,
    client_address,
    per_address,
    refusal_message,
    window_seconds,
)

__all__ = [
    "BURST_KEY",
    "TABLETS",
    "Attempt",
    "attempt_begin",
    "attempt_failed",
    "attempt_succeeded",
    "burst_alert",
    "burst_alert_at",
    "client_address",
    "per_address",
    "refusal_message",
    "window_seconds",
]

logger = logging.getLogger("evaluations.pairing")


def _waiting_hall_ids():
    return TabletDevice.objects.filter(
        pairing_expires_at__gt=timezone.now(),
        token_hash__isnull=True,
        revoked_at__isnull=True,
    ).values_list("window__hall_id", flat=True)


def _alert_text(hall: Hall) -> tuple[str, str]:
    subject = _("[%(hall)s] Pairing codes are being guessed") % {"hall": hall.name}
    body = _(
        "%(count)d or more wrong tablet pairing codes were entered in the last "
        "%(minutes)d minutes, while a pairing code of %(hall)s is waiting to be used.\n\n"
        "If nobody in the hall is pairing tablets, revoke the waiting codes in the "
        "management pages (Rating tablets) and issue new ones when needed. Each address "
        "that sent more than %(per_address)d wrong codes is refused for %(minutes)d "
        "minutes."
    ) % {
        "count": burst_alert_at(),
        "minutes": settings.PAIRING_WINDOW_MINUTES,
        "hall": hall.name,
        "per_address": per_address(),
    }
    body += "\n\n" + _("Rating tablets: %(link)s") % {
        "link": portal_url("admin:evaluations_tabletdevice_changelist")
    }
    return subject, body


TABLETS = PairingGuard(
    logger=logger,
    what="pairing",
    waiting_hall_ids=_waiting_hall_ids,
    alerted_key="pairing:alerted:{}",
    alert_text=_alert_text,
)

attempt_begin = TABLETS.attempt_begin
attempt_succeeded = TABLETS.attempt_succeeded
attempt_failed = TABLETS.attempt_failed
burst_alert = TABLETS.burst_alert
