"""The appointments' writes (预约办): book, cancel, check in at the kiosk, mark misses.

Answers never tell whether a code or a phone exists: a code of another hall is "not
correct" like an unknown one, and a cancel with a wrong phone reads like an unknown code.
Phone numbers are personal data: they are never logged and shown masked (selectors).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from windows.booking.selectors import ACTIVE_STATUSES, bookable_days, slot_taken
from windows.models import Appointment, AppointmentSlot, Hall, QueueCategory, Visit
from windows.queue.services import ticket_issue
from windows.rules.hall_time import hall_localdate, hall_zone

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


CODE_ATTEMPTS = 5


def normalise_code(code: str) -> str:
    """The code as stored: capitals, without spaces or dashes a citizen may type."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


# --- misses and blocks ----------------------------------------------------------------


def appointments_mark_missed(*, now: datetime | None = None, hall: Hall | None = None) -> int:
    """Booked appointments whose slot has ended without a check-in become missed."""
    now = now or timezone.now()
    appointments = Appointment.objects.filter(status=Appointment.Status.BOOKED, ends_at__lte=now)
    if hall is not None:
        appointments = appointments.filter(hall=hall)
    return appointments.update(status=Appointment.Status.MISSED)


def booking_blocked_until(*, hall: Hall, phone: str, now: datetime | None = None) -> date | None:
    """The day the phone may book at the hall again, if its misses block it now.

    The hall's booking_miss_limit misses within booking_miss_days days block the phone for
    booking_block_days days from the day of the miss that reached the limit.
    """
    now = now or timezone.now()
    appointments_mark_missed(now=now, hall=hall)
    limit = hall.booking_miss_limit
    if not limit:
        return None
    span = timedelta(days=hall.booking_miss_days)
    since = now - span - timedelta(days=hall.booking_block_days)
    misses = list(
        Appointment.objects.filter(
            hall=hall, phone=phone, status=Appointment.Status.MISSED, ends_at__gte=since
        )
        .order_by("ends_at")
        .values_list("ends_at", flat=True)
    )
    today = hall_localdate(hall, now)
    until = None
    for last in range(limit - 1, len(misses)):
        if misses[last] - misses[last - limit + 1] <= span:
            ends = misses[last].astimezone(hall_zone(hall)).date()
            ends += timedelta(days=hall.booking_block_days)
            if ends > today:
                until = ends
    return until


# --- booking and cancelling -----------------------------------------------------------


def _slot_moments(hall: Hall, slot: AppointmentSlot, day: date) -> tuple[datetime, datetime]:
    zone = hall_zone(hall)
    return (
        datetime.combine(day, slot.starts_at, tzinfo=zone),
        datetime.combine(day, slot.ends_at, tzinfo=zone),
    )


def _check_booking(
    *, hall: Hall, category: QueueCategory, slot: AppointmentSlot, day: date, now: datetime
) -> tuple[datetime, datetime]:
    if category.hall_id != hall.pk or not category.is_active or not hall.is_active:
        raise ValidationError(_("This business category cannot be booked."), code="category")
    if slot.category_id != category.pk:
        raise ValidationError(_("Choose one of the listed time slots."), code="slot")
    if day not in bookable_days(hall=hall, now=now):
        raise ValidationError(_("Choose one of the listed days."), code="day")
    starts_at, ends_at = _slot_moments(hall, slot, day)
    if starts_at <= now:
        raise ValidationError(_("This time slot has already begun; choose a later one."))
    return starts_at, ends_at


def appointment_book(
    *,
    hall: Hall,
    category: QueueCategory,
    slot: AppointmentSlot,
    day: date,
    name: str,
    phone: str,
    id_last4: str,
    now: datetime | None = None,
) -> Appointment:
    """Book a place in the slot of the day; the capacity holds under concurrent bookings.

    The category's row is locked until commit (on PostgreSQL), so two bookings of the
    category are counted one after the other: the last place goes to one of them, and a
    phone cannot take two places of the same day through two requests at once.
    """
    now = now or timezone.now()
    starts_at, ends_at = _check_booking(hall=hall, category=category, slot=slot, day=day, now=now)
    until = booking_blocked_until(hall=hall, phone=phone, now=now)
    if until is not None:
        raise ValidationError(
            _(
                "This phone number missed %(limit)d appointments within %(days)d days; "
                "it can book again from %(date)s."
            )
            % {
                "limit": hall.booking_miss_limit,
                "days": hall.booking_miss_days,
                "date": formats.date_format(until, "DATE_FORMAT"),
            },
            code="blocked",
        )
    with transaction.atomic():
        QueueCategory.objects.select_for_update().filter(pk=category.pk).first()
        if Appointment.objects.filter(
            hall=hall, category=category, day=day, phone=phone, status__in=ACTIVE_STATUSES
        ).exists():
            raise ValidationError(
                _("This phone number already has a booking for %(category)s on that day.")
                % {"category": category.name},
                code="duplicate",
            )
        if slot_taken(slot=slot, day=day) >= slot.capacity:
            raise ValidationError(
                _("This time slot is fully booked; choose another one."), code="full"
            )
        return _create_with_new_code(
            hall=hall,
            category=category,
            slot=slot,
            day=day,
            starts_at=starts_at,
            ends_at=ends_at,
            name=name,
            phone=phone,
            id_last4=id_last4.upper(),
        )


def _create_with_new_code(**fields) -> Appointment:
    """The appointment with a code no other one has (drawn again on the rare clash)."""
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Appointment.objects.create(code=new_code(), **fields)
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
    raise IntegrityError("no free appointment code")


def appointment_cancel(
    *, hall: Hall, code: str, phone: str, now: datetime | None = None
) -> Appointment:
    """Cancel a booking with its code and the phone it was booked with.

    An unknown code, another hall's code and a phone that does not match get the same
    answer, so the form tells nothing about which codes or phones exist.
    """
    now = now or timezone.now()
    code = normalise_code(code)
    phone = (phone or "").strip()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(hall=hall, code=code, phone=phone)
            .first()
            if code and phone
            else None
        )
        if appointment is None:
            raise ValidationError(
                _("No booking matches this code and phone number."), code="no_match"
            )
        if appointment.status != Appointment.Status.BOOKED or appointment.starts_at <= now:
            raise ValidationError(
                _("This booking can no longer be cancelled."), code="not_cancellable"
            )
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status"])
    return appointment


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
