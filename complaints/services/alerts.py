"""Alerts to the hall's duty leader (值班长) about a new case that needs them at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from complaints.models import Channel, Complaint, DutyAlert
from windows import contacts, roles
from windows.mail import new_message_id, send_mail
from windows.models import DutyAssignment, Hall, Staff
from windows.rules.hall_time import hall_localdate

logger = logging.getLogger(__name__)

ALERTING_CHANNELS = frozenset({Channel.BAD_REVIEW, Channel.WORK_ORDER_12345})
# Only a case received this recently alerts anyone (an import of old visits must not).
FRESH_FOR = timedelta(hours=24)


def duty_leaders(*, hall: Hall | int, day: date):
    """The hall's duty leaders rostered on the day (any shift), as staff."""
    return Staff.objects.filter(
        duty_assignments__hall=hall,
        duty_assignments__date=day,
        duty_assignments__role=DutyAssignment.Role.DUTY_LEADER,
    ).distinct()


def duty_leader_ids(*, hall: Hall | int, day: date) -> list[int]:
    """User ids of the hall's duty leaders rostered on the day (those with a login)."""
    return list(
        DutyAssignment.objects.filter(
            hall=hall,
            date=day,
            role=DutyAssignment.Role.DUTY_LEADER,
            staff__user__isnull=False,
        ).values_list("staff__user_id", flat=True)
    )


def hall_manager_ids(*, hall: Hall | int) -> list[int]:
    """User ids of the hall's managers (windows.roles.hall_managers)."""
    return list(roles.hall_managers(hall).values_list("pk", flat=True))


def duty_recipients(*, hall: Hall | int, day: date) -> list[str]:
    """Who an alert to the hall's duty leader reaches on the day: the emails of the day's
    duty leaders; the hall's managers if none is rostered (each reached by windows.contacts'
    rule). The one rule of every duty alert (new cases here, reports.surge's surges)."""
    leaders = duty_leaders(hall=hall, day=day)
    if leaders.exists():
        return contacts.staff_emails(leaders)
    return contacts.user_emails(roles.hall_managers(hall))


def duty_alert_recipients(*, complaint: Complaint) -> list[str]:
    """duty_recipients of the case's hall on the local day it was received."""
    day = hall_localdate(complaint.hall, complaint.received_at)
    return duty_recipients(hall=complaint.hall_id, day=day)


def duty_alert_for(*, complaint: Complaint) -> DutyAlert | None:
    """Alert the duty leader of the complaint's hall about a new bad review or 12345 order.

    Called by the services that open cases, inside their transaction; the email goes out
    after the commit. Once per case: a second call finds the alert and does nothing. Other
    channels and cases received more than 24 hours ago (imports) alert nobody: None.
    """
    if complaint.channel not in ALERTING_CHANNELS:
        return None
    if complaint.received_at < timezone.now() - FRESH_FOR:
        return None
    with transaction.atomic():
        alert, created = DutyAlert.objects.get_or_create(
            complaint=complaint,
            defaults={"recipients": duty_alert_recipients(complaint=complaint)},
        )
        if created:
            from complaints.tasks import send_duty_alert

            transaction.on_commit(lambda: send_duty_alert.delay(alert.complaint_id))
    return alert


class AlertInProgress(Exception):
    """Another attempt holds a fresh claim on the alert: look again once it would be stale."""

    def __init__(self, wait: float):
        super().__init__(f"the alert is being sent by another attempt (stale in {wait:.0f} s)")
        self.wait = wait


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.DUTY_ALERT_STALE_AFTER)


def _claim(queryset, *, label: str):
    """Claim the one unsent alert of `queryset` in a transaction committed before any SMTP
    call; None if it went out already. Raises AlertInProgress for a fresh claim of another
    attempt; a stale claim (its attempt died, perhaps after the server took the email) is
    taken over and the email sent again with the Message-ID recorded the first time."""
    now = timezone.now()
    with transaction.atomic():
        alert = queryset.select_for_update().filter(sent_at__isnull=True).first()
        if alert is None:
            return None
        if alert.claimed_at and alert.claimed_at > now - _stale_after():
            raise AlertInProgress((alert.claimed_at + _stale_after() - now).total_seconds())
        if alert.claimed_at:
            logger.warning("%s %s: stale claim taken over, sent again.", label, alert.pk)
        alert.claimed_at = now
        alert.message_id = alert.message_id or new_message_id()
        alert.save(update_fields=["claimed_at", "message_id"])
    return alert


def claimed_alert_send(queryset, *, compose: Callable, label: str) -> bool:
    """Email the one alert of `queryset` (a DutyAlert, a reports SurgeAlert: rows with
    recipients, claimed_at, message_id and sent_at) unless it went out already; True if
    sent now. `compose(alert)` gives its (subject, body).

    Exactly once as far as it can be: the claim is committed before the SMTP call and the
    alert marked sent after the server accepted it; a failed send clears the claim (the
    task retries). The one window left: the server took the email and the attempt died
    before marking it, then the email goes again with the same Message-ID."""
    alert = _claim(queryset, label=label)
    if alert is None:
        return False
    model = type(alert)
    if alert.recipients:
        subject, body = compose(alert)
        try:
            send_mail(subject, body, None, list(alert.recipients), message_id=alert.message_id)
        except Exception:
            model.objects.filter(pk=alert.pk, claimed_at=alert.claimed_at).update(claimed_at=None)
            raise
    model.objects.filter(pk=alert.pk, claimed_at=alert.claimed_at).update(sent_at=timezone.now())
    return bool(alert.recipients)


def duty_alert_send(*, complaint_id: int) -> bool:
    """Email the alert of a case unless it went out already; True if sent now."""

    def compose(alert: DutyAlert) -> tuple[str, str]:
        case = Complaint.objects.select_related("hall", "window", "staff").get(pk=complaint_id)
        context = {"case": case, "alert": alert}
        subject = render_to_string("complaints/email/duty_alert_subject.txt", context)
        body = render_to_string("complaints/email/duty_alert_body.txt", context)
        return " ".join(subject.split()), body

    return claimed_alert_send(
        DutyAlert.objects.filter(complaint_id=complaint_id), compose=compose, label="Duty alert"
    )


def led_hall_ids(*, user, day: date) -> list[int]:
    """The halls the user is duty leader of on the day."""
    if not user.is_authenticated:
        return []
    return list(
        DutyAssignment.objects.filter(
            staff__user=user, date=day, role=DutyAssignment.Role.DUTY_LEADER
        )
        .values_list("hall_id", flat=True)
        .distinct()
    )


def open_duty_alerts(*, user, day: date) -> list[DutyAlert]:
    """The unacknowledged alerts of the halls the user leads on the day (for the console)."""
    hall_ids = led_hall_ids(user=user, day=day)
    if not hall_ids:
        return []
    return list(
        DutyAlert.objects.filter(complaint__hall_id__in=hall_ids, acknowledged_at__isnull=True)
        .select_related("complaint", "complaint__window")
        .order_by("complaint__received_at", "pk")
    )


def may_acknowledge_hall_alert(*, user, hall_id: int, day: date) -> bool:
    """Who may acknowledge an alert of a hall (a case's, a surge's): the hall's duty
    leader of the day, or a manager of the hall."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if hall_id in led_hall_ids(user=user, day=day):
        return True
    return user.pk in hall_manager_ids(hall=hall_id)


def may_acknowledge(*, user, alert: DutyAlert, day: date) -> bool:
    return may_acknowledge_hall_alert(user=user, hall_id=alert.complaint.hall_id, day=day)


@transaction.atomic
def duty_alert_acknowledge(*, alert: DutyAlert, user) -> DutyAlert:
    """Mark the alert as seen; only its hall's duty leader of the day or a manager may."""
    if not may_acknowledge(user=user, alert=alert, day=hall_localdate(alert.complaint.hall)):
        raise PermissionDenied
    alert = DutyAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_at"])
    return alert
