"""The appointments' writes (预约办): book, cancel, check in at the kiosk, mark misses.

Answers never tell whether a code or a phone exists: a code of another hall is "not
correct" like an unknown one, and a cancel with a wrong phone reads like an unknown code.
Phone numbers are personal data: they are never logged and shown masked (selectors).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from windows.models import Appointment, Hall, Visit
from windows.queue.services import ticket_issue
from windows.rules.hall_time import hall_localdate

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


def normalise_code(code: str) -> str:
    """The code as stored: capitals, without spaces or dashes a citizen may type."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def appointment_check_in(*, hall: Hall, code: str, now: datetime | None = None) -> Visit:
    """Check the citizen in with the confirmation code (at the kiosk): a ticket called
    first once the slot is due. The appointment must be the hall's, today's, booked and
    not past the end of its slot."""
    now = now or timezone.now()
    code = normalise_code(code)
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("category__hall")
            .filter(hall=hall, code=code)
            .first()
            if code
            else None
        )
        if appointment is None:
            raise ValidationError(_("The appointment code is not correct."), code="unknown")
        if appointment.status == Appointment.Status.CHECKED_IN:
            raise ValidationError(
                _("This appointment has already been checked in."), code="checked_in"
            )
        if appointment.status == Appointment.Status.CANCELLED:
            raise ValidationError(_("This appointment was cancelled."), code="cancelled")
        if appointment.day != hall_localdate(hall, now):
            raise ValidationError(_("This appointment is not for today."), code="not_today")
        if appointment.status == Appointment.Status.MISSED or now >= appointment.ends_at:
            raise ValidationError(_("The appointment's time slot is over."), code="over")
        visit = ticket_issue(
            category=appointment.category,
            lane=Visit.Lane.APPOINTMENT,
            due_at=appointment.starts_at,
            now=now,
        )
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.checked_in_at = now
        appointment.visit = visit
        appointment.save(update_fields=["status", "checked_in_at", "visit"])
    return visit
