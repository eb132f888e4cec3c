"""Celery tasks of the regional bulletin (imported by reports/tasks.py so the worker registers
them): thin, by ids and ISO dates, idempotent under acks_late as the hall bulletins' tasks."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from reports.periods import scheduled_day
from reports.services import DeliveryInProgress
from reports.tasks import RETRY
from windows.models import Region

from .models import RegionalBulletin
from .services import RegionalBulletinNoHalls, regional_bulletin_build, regional_bulletin_send

logger = logging.getLogger(__name__)


@shared_task(name="reports.regional.tasks.build_regional_bulletins", acks_late=True)
def build_regional_bulletins(day: str | None = None) -> int:
    """Queue one build-and-send per region; returns how many were queued. Without a day,
    last month's (the beat job runs on the 1st, in the installation's time zone)."""
    the_day = (
        date.fromisoformat(day)
        if day
        else scheduled_day(kind="monthly", today=timezone.localdate())
    )
    region_ids = list(Region.objects.order_by("pk").values_list("pk", flat=True))
    for region_id in region_ids:
        transaction.on_commit(
            lambda region_id=region_id: build_and_send_regional_bulletin.delay(
                region_id, the_day.isoformat()
            )
        )
    return len(region_ids)


@shared_task(bind=True, name="reports.regional.tasks.build_and_send_regional_bulletin", **RETRY)
def build_and_send_regional_bulletin(self, region_id: int, day: str) -> int:
    """Build (or rebuild) one region's monthly bulletin and email it; returns how many emails
    went out. A retry sends the bulletin already built, without rebuilding it."""
    region = Region.objects.get(pk=region_id)
    the_day = date.fromisoformat(day)
    bulletin = None
    if self.request.retries:
        bulletin = RegionalBulletin.objects.filter(
            region=region, period_start=the_day.replace(day=1)
        ).first()
    if bulletin is None:
        try:
            bulletin = regional_bulletin_build(region=region, day=the_day)
        except RegionalBulletinNoHalls as reason:
            logger.info("No regional bulletin for %s: %s", region.code, reason)
            return 0
    try:
        return regional_bulletin_send(bulletin=bulletin)
    except DeliveryInProgress as busy:
        logger.info("Regional bulletin %s: %s; again in %.0f s.", bulletin.pk, busy, busy.wait)
        raise self.retry(exc=busy, countdown=busy.wait) from busy
    except SoftTimeLimitExceeded as stopped:
        raise self.retry(exc=stopped, countdown=0) from stopped
