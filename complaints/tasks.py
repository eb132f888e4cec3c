"""Thin Celery tasks of complaint handling: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from complaints.services.alerts import duty_alert_send


@shared_task(name="complaints.tasks.send_duty_alert")
def send_duty_alert(complaint_id: int) -> bool:
    """Email the duty-leader alert of a case (once, however often it is delivered)."""
    return duty_alert_send(complaint_id=complaint_id)


# The name the task had before the app split: a message queued by a worker of the earlier
# release is still delivered after an upgrade (duty_alert_send sends each alert once).
@shared_task(name="evaluations.tasks.send_duty_alert")
def send_duty_alert_queued_before_split(complaint_id: int) -> bool:
    return duty_alert_send(complaint_id=complaint_id)
