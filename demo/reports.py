"""The demo hall's bulletin recipients: the manager gets every kind of bulletin."""

from __future__ import annotations

from reports.models import BulletinKind, BulletinRecipient
from windows.models import Hall

from . import catalogue


def seed_bulletin_recipients(*, hall: Hall) -> int:
    created = 0
    for kind in BulletinKind.values:
        _recipient, new = BulletinRecipient.objects.get_or_create(
            hall=hall,
            kind=kind,
            email=f"manager@{catalogue.DEMO_EMAIL_DOMAIN}",
            defaults={"name": "大厅管理员"},
        )
        created += new
    return created
