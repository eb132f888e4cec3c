"""Celery tasks of this part (imported by reports/tasks.py so the worker registers them).

Beat runs check_surges every 15 minutes (migration 0007); it queues one check per active
hall in its opening hours on a business day. A check is idempotent (an alert per hall, day
and level, unique in the database) and so is the email (claimed before the SMTP call).
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from windows.models import Hall

from .services import SurgeAlertInProgress, in_opening_hours, surge_alert_send, surge_check

logger = logging.getLogger(__name__)


@shared_task(name="reports.surge.tasks.check_surges", acks_late=True)
def check_surges() -> int:
    """Queue a surge check for each active hall open now whose warning is on; returns how
    many were queued."""
    now = timezone.now()
    halls = Hall.objects.filter(is_active=True).exclude(surge_settings__is_active=False)
    queued = 0
    for hall in halls.order_by("pk"):
        if not in_opening_hours(hall=hall, now=now):
            continue
        transaction.on_commit(
            lambda hall_id=hall.pk: check_hall_surge.delay(hall_id, now.isoformat())
        )
        queued += 1
    return queued


@shared_task(name="reports.surge.tasks.check_hall_surge", acks_late=True)
def check_hall_surge(hall_id: int, at: str | None = None) -> int:
    """Evaluate one hall at the moment the beat saw (ISO; default now); returns the number
    of alerts raised (0 on a retry: they exist already)."""
    from datetime import datetime

    hall = Hall.objects.get(pk=hall_id)
    moment = datetime.fromisoformat(at) if at else timezone.now()
    with transaction.atomic():
        return len(surge_check(hall=hall, now=moment))


@shared_task(
    bind=True,
    name="reports.surge.tasks.send_surge_alert",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def send_surge_alert(self, alert_id: int) -> bool:
    """Email one surge alert (once; a fresh claim of another attempt: look again later)."""
    try:
        return surge_alert_send(alert_id=alert_id)
    except SurgeAlertInProgress as busy:
        logger.info("Surge alert %s: %s", alert_id, busy)
        raise self.retry(exc=busy, countdown=busy.wait) from busy
