"""The queue's reads: who waits, how many are ahead of a ticket, how long it may take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from windows.models import QueueCategory, Visit, WindowSession
from windows.rules.hall_time import hall_localdate

from .services import call_rank

# Before a category has served anyone, a visit is taken to last this long.
DEFAULT_SERVICE_TIME = timedelta(minutes=8)
SERVICE_TIME_HISTORY = timedelta(days=28)


@dataclass(frozen=True)
class CategoryQueue:
    category: QueueCategory
    waiting: int


@dataclass(frozen=True)
class TicketPosition:
    ahead: int  # tickets of its category called before it
    windows_open: int  # windows serving the category with someone signed in
    estimated_wait: timedelta | None  # None when no window serving it is open


def waiting_counts(*, hall, day: date | None = None) -> list[CategoryQueue]:
    """The hall's active categories, in their order, with the tickets waiting in each."""
    day = day or hall_localdate(hall)
    categories = (
        QueueCategory.objects.filter(hall=hall)
        .active()
        .annotate(
            waiting=Count(
                "visits",
                filter=Q(visits__status=Visit.Status.WAITING, visits__service_date=day),
            )
        )
    )
    return [CategoryQueue(category=category, waiting=category.waiting) for category in categories]


def windows_open_for(category: QueueCategory) -> int:
    """The windows calling the category's tickets that someone is signed in to now."""
    return (
        WindowSession.objects.open()
        .filter(
            Q(window__queue_categories=category) | Q(window__zone__queue_categories=category),
            window__is_active=True,
        )
        .values("window_id")
        .distinct()
        .count()
    )


def mean_service_time(category: QueueCategory, *, now: datetime | None = None) -> timedelta:
    """How long the category's completed visits took, on average, over the last 4 weeks."""
    now = now or timezone.now()
    mean = (
        Visit.objects.completed()
        .filter(category=category, started_at__gte=now - SERVICE_TIME_HISTORY)
        .aggregate(
            mean=Avg(
                ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
            )
        )["mean"]
    )
    return mean or DEFAULT_SERVICE_TIME


def ticket_position(visit: Visit, *, now: datetime | None = None) -> TicketPosition:
    """How many of its category will be called before the waiting ticket, and the wait."""
    now = now or timezone.now()
    ranked = (
        Visit.objects.waiting()
        .filter(category_id=visit.category_id, service_date=visit.service_date)
        .annotate(call_rank=call_rank(now))
    )
    mine = ranked.filter(pk=visit.pk).values_list("call_rank", flat=True).first()
    if mine is None:  # called already, or no longer waiting
        return TicketPosition(ahead=0, windows_open=0, estimated_wait=None)
    ahead = ranked.filter(
        Q(call_rank__lt=mine)
        | Q(call_rank=mine, issued_at__lt=visit.issued_at)
        | Q(call_rank=mine, issued_at=visit.issued_at, pk__lt=visit.pk)
    ).count()
    windows_open = windows_open_for(visit.category)
    if not windows_open:
        return TicketPosition(ahead=ahead, windows_open=0, estimated_wait=None)
    per_ticket = mean_service_time(visit.category, now=now)
    return TicketPosition(
        ahead=ahead, windows_open=windows_open, estimated_wait=per_ticket * ahead / windows_open
    )
