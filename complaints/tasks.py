"""Thin Celery tasks of complaint handling: they take ids and call a service."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from complaints.services.alerts import AlertInProgress, duty_alert_send

# A failed SMTP call clears the alert's claim; the task tries again, backing off.
RETRIES = {"autoretry_for": (SMTPException, OSError), "retry_backoff": True, "max_retries": 8}


def _send(task, complaint_id: int) -> bool:
    try:
        return duty_alert_send(complaint_id=complaint_id)
    except AlertInProgress as busy:
        raise task.retry(exc=busy, countdown=busy.wait) from busy


@shared_task(bind=True, name="complaints.tasks.send_duty_alert", **RETRIES)
def send_duty_alert(self, complaint_id: int) -> bool:
    """Email the duty-leader alert of a case (once, however often it is delivered)."""
    return _send(self, complaint_id)


# The name the task had before the app split: a message queued by a worker of the earlier
# release is still delivered after an upgrade (duty_alert_send sends each alert once).
@shared_task(bind=True, name="evaluations.tasks.send_duty_alert", **RETRIES)
def send_duty_alert_queued_before_split(self, complaint_id: int) -> bool:
    return _send(self, complaint_id)
