"""Thin Celery tasks of the bulletins: they take ids, kinds and ISO dates and call a service.

Idempotent under acks_late: a second delivery rebuilds the same bulletin row and emails no
recipient who already got it, nor one another attempt is emailing (a fresh claim; the task
looks again once that claim would be stale). The bulletin tasks have time limits
(BULLETIN_TASK_SOFT_TIME_LIMIT / BULLETIN_TASK_TIME_LIMIT, hall/settings/celery_delivery.py)
shorter than the age at which a claim is judged stale and than the broker's visibility timeout.
"""

from __future__ import annotations

import logging
from datetime import date
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from windows.models import Hall
from windows.rules.hall_time import hall_localdate

from .models import Bulletin
from .periods import KINDS, period_of, scheduled_day
from .reminders import RemindersInProgress, reminders_send
from .services import BulletinNoData, DeliveryInProgress, bulletin_build, bulletin_send

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
    "soft_time_limit": settings.BULLETIN_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.BULLETIN_TASK_TIME_LIMIT,
}


def _send(task, bulletin: Bulletin) -> int:
    """bulletin_send, retried when another attempt holds fresh claims (once they would be
    stale) or when the task's soft time limit stopped it (at once)."""
    try:
        return bulletin_send(bulletin=bulletin)
    except DeliveryInProgress as busy:
        logger.info("Bulletin %s: %s; looking again in %.0f s.", bulletin.pk, busy, busy.wait)
        raise task.retry(exc=busy, countdown=busy.wait) from busy
    except SoftTimeLimitExceeded as stopped:
        raise task.retry(exc=stopped, countdown=0) from stopped


@shared_task(name="reports.tasks.build_bulletins", acks_late=True)
def build_bulletins(kind: str, day: str | None = None) -> int:
    """Queue one build-and-send per active hall; returns how many were queued.

    Without a day, the period the schedule builds: today's (daily), last week's (weekly,
    on Monday), last month's (monthly, on the 1st), each in its hall's local time.
    """
    given = date.fromisoformat(day) if day else None
    if kind not in KINDS:
        period_of(kind=kind, day=given or date.min)  # fails here, before queueing
    halls = list(Hall.objects.filter(is_active=True).order_by("pk").only("pk", "time_zone"))
    for hall in halls:
        the_day = given or scheduled_day(kind=kind, today=hall_localdate(hall))
        transaction.on_commit(
            lambda hall_id=hall.pk, the_day=the_day: build_and_send_bulletin.delay(
                hall_id, kind, the_day.isoformat()
            )
        )
    return len(halls)


@shared_task(bind=True, name="reports.tasks.build_and_send_bulletin", **RETRY)
def build_and_send_bulletin(self, hall_id: int, kind: str, day: str) -> int:
    """Build (or rebuild) one hall's bulletin and email it; returns how many emails went out.

    A retry (after a failed email) sends the bulletin already built, without rebuilding it.
    """
    hall = Hall.objects.get(pk=hall_id)
    the_day = date.fromisoformat(day)
    bulletin = None
    if self.request.retries:
        bulletin = Bulletin.objects.filter(
            hall=hall, kind=kind, period_start=period_of(kind=kind, day=the_day).start
        ).first()
    if bulletin is None:
        try:
            bulletin = bulletin_build(hall=hall, kind=kind, day=the_day)
        except BulletinNoData as reason:
            logger.info("No %s bulletin for hall %s: %s", kind, hall.code, reason)
            return 0
    return _send(self, bulletin)


@shared_task(
    name="reports.tasks.build_bulletin",
    acks_late=True,
    soft_time_limit=settings.BULLETIN_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.BULLETIN_TASK_TIME_LIMIT,
)
def build_bulletin(hall_id: int, kind: str, day: str) -> int | None:
    """Build (or rebuild) one hall's bulletin without emailing it (a manager's build on the
    bulletins page); returns its id, None when the period had no visits."""
    hall = Hall.objects.get(pk=hall_id)
    try:
        return bulletin_build(hall=hall, kind=kind, day=date.fromisoformat(day)).pk
    except BulletinNoData as reason:
        logger.info("No %s bulletin for hall %s: %s", kind, hall.code, reason)
        return None


@shared_task(bind=True, name="reports.tasks.send_bulletin", **RETRY)
def send_bulletin(self, bulletin_id: int) -> int:
    """Email a built bulletin to its recipients not served yet (the resend button's job)."""
    return _send(self, Bulletin.objects.select_related("hall").get(pk=bulletin_id))


@shared_task(bind=True, name="reports.tasks.send_daily_reminders", max_retries=5)
def send_daily_reminders(self, day: str | None = None) -> int:
    """The daily reminders of the day (ISO date; default: the installation's today).

    When another attempt holds fresh claims (e.g. this task redelivered after its worker was
    killed mid-send), it looks again once they would be stale, for the same day."""
    # One day for all halls: reminders_send plans and records (ReminderSent) one day per run.
    the_day = date.fromisoformat(day) if day else timezone.localdate()
    try:
        return reminders_send(day=the_day)
    except RemindersInProgress as busy:
        logger.info(
            "Daily reminders for %s: %s; looking again in %.0f s.", the_day, busy, busy.wait
        )
        raise self.retry(
            exc=busy, countdown=busy.wait, args=(the_day.isoformat(),), kwargs={}
        ) from busy


# The tasks of reports' sub-packages, registered with the worker through this module.
from reports.regional import tasks as regional_tasks  # noqa: E402, F401
from reports.surge import tasks as surge_tasks  # noqa: E402, F401
from reports.waiting import tasks as waiting_tasks  # noqa: E402, F401
