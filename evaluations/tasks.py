"""Thin Celery tasks of the evaluations app: they take ids or dates and call a service."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from evaluations.services.alerts import duty_alert_send
from evaluations.services.reminders import reminders_send


@shared_task(name="evaluations.tasks.send_daily_reminders")
def send_daily_reminders(day: str | None = None) -> int:
    """The daily reminders of the day (ISO date; default: the installation's today)."""
    # One day for all halls: reminders_send plans and records (ReminderSent) one day per run.
    the_day = date.fromisoformat(day) if day else timezone.localdate()
    return reminders_send(day=the_day)


@shared_task(name="evaluations.tasks.send_duty_alert")
def send_duty_alert(complaint_id: int) -> bool:
    """Email the duty-leader alert of a case (once, however often it is delivered)."""
    return duty_alert_send(complaint_id=complaint_id)
