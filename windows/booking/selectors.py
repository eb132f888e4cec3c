"""The appointments' reads: bookable days and slots, places left, the hall's quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from windows.models import Appointment, AppointmentSlot, Hall, QueueCategory, Visit
from windows.rules.hall_time import hall_localdate, hall_zone
from windows.workdays import business_days

ACTIVE_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)
BOOKING_DAYS = 14  # business days ahead one can book, today included
HISTORY_WEEKS = 8
QUIET_HOURS = 2  # how many of the quietest hours the page highlights


def booking_halls() -> QuerySet:
    """The halls one can book at: active, with a bookable category."""
    return Hall.objects.filter(
        is_active=True, queue_categories__is_active=True, queue_categories__slots__isnull=False
    ).distinct()


def bookable_categories(hall: Hall) -> QuerySet:
    """The hall's active categories that have time slots."""
    return (
        QueueCategory.objects.active()
        .filter(hall=hall, slots__isnull=False)
        .distinct()
        .order_by("sort_order", "prefix")
    )


def bookable_days(*, hall: Hall, now: datetime | None = None) -> list[date]:
    """Today and the following business days of the hall, BOOKING_DAYS of them at most."""
    today = hall_localdate(hall, now)
    days = business_days(hall=hall, start=today, end=today + timedelta(days=BOOKING_DAYS * 3))
    return days[:BOOKING_DAYS]


def slot_taken(*, slot: AppointmentSlot, day: date) -> int:
    """The places of the slot taken on the day (booked or checked in)."""
    return Appointment.objects.filter(slot=slot, day=day, status__in=ACTIVE_STATUSES).count()


@dataclass(frozen=True)
class SlotChoice:
    slot: AppointmentSlot
    capacity: int
    taken: int
    begun: bool  # the slot's start is past: it cannot be booked any more

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def bookable(self) -> bool:
        return not self.begun and self.remaining > 0


def slot_choices(
    *, category: QueueCategory, day: date, now: datetime | None = None
) -> list[SlotChoice]:
    """The category's slots of the day with the places left (computed in the database)."""
    now = now or timezone.now()
    zone = hall_zone(category.hall)
    slots = AppointmentSlot.objects.filter(category=category).annotate(
        taken=Count(
            "appointments",
            filter=Q(appointments__day=day, appointments__status__in=ACTIVE_STATUSES),
        )
    )
    return [
        SlotChoice(
            slot=slot,
            capacity=slot.capacity,
            taken=slot.taken,
            begun=datetime.combine(day, slot.starts_at, tzinfo=zone) <= now,
        )
        for slot in slots.order_by("starts_at")
    ]


@dataclass(frozen=True)
class HourLoad:
    hour: int
    average: float  # completed visits issued in this hour, per business day
    quiet: bool
    share: int  # the bar's length, percent of the busiest hour


@dataclass(frozen=True)
class QuietHours:
    hours: list[HourLoad]
    of_category: bool  # from the category's own visits (else the whole hall's)
    days: int  # the business days averaged over


def quiet_hours(
    *, hall: Hall, category: QueueCategory | None = None, now: datetime | None = None
) -> QuietHours:
    """错峰办: the hall's completed visits per hour of the day (their tickets' local issue
    hour), averaged over the business days of the last HISTORY_WEEKS weeks, within the
    category's ticket hours; the QUIET_HOURS quietest are flagged. The category's own
    history when it has one, the hall's otherwise."""
    today = hall_localdate(hall, now)
    start = today - timedelta(weeks=HISTORY_WEEKS)
    end = today - timedelta(days=1)
    visits = Visit.objects.completed().filter(hall=hall, service_date__range=(start, end))
    of_category = bool(category and visits.filter(category=category).exists())
    if of_category:
        visits = visits.filter(category=category)
    counts = dict(
        visits.annotate(hour=ExtractHour("issued_at", tzinfo=hall_zone(hall)))
        .order_by()
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    days = len(business_days(hall=hall, start=start, end=end))
    if not counts or not days:
        return QuietHours(hours=[], of_category=of_category, days=days)
    opens = category.opens_at.hour if category else min(counts)
    closes = category.closes_at if category else None
    last = (closes.hour - (0 if closes.minute else 1)) if closes else max(counts)
    hours = list(range(opens, last + 1))
    averages = {hour: counts.get(hour, 0) / days for hour in hours}
    # An hour nobody was ever served in is a break (午休), not a quiet time to suggest.
    served = [hour for hour in hours if averages[hour]]
    flagged = min(QUIET_HOURS, len(served) - 1)  # never every hour
    quietest = set(sorted(served, key=lambda hour: (averages[hour], hour))[:flagged])
    busiest = max(averages.values()) or 1
    return QuietHours(
        hours=[
            HourLoad(
                hour=hour,
                average=round(averages[hour], 1),
                quiet=hour in quietest,
                share=round(100 * averages[hour] / busiest),
            )
            for hour in hours
        ],
        of_category=of_category,
        days=days,
    )
