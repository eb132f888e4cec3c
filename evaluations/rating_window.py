"""Which visit a window's tablet may rate, and until when: one rule for the tablet's
state (what it offers) and for the ratings it sends (what the server accepts).

A finished visit may be rated by its window's tablet until the earlier of
- its hall's rating timeout after it finished, and
- the moment the next visit at that window started (开始办理 of the next citizen).
A tap is judged by when it happened (the server's clock minus the age the tablet sends),
so a rating kept on the tablet while the network was down still counts if it was tapped
in time, and one tapped after the next citizen sat down never lands on the visit before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from windows.models import Visit


def rating_deadline(visit: Visit) -> datetime:
    """Until when a tablet may rate a finished visit (the hall's rating timeout)."""
    return visit.finished_at + timedelta(seconds=visit.hall.rating_timeout_seconds)


def next_visit_start(visit: Visit) -> datetime | None:
    """When the next visit at the visit's window started; None while none has."""
    later = Q(started_at__gt=visit.started_at) | Q(started_at=visit.started_at, pk__gt=visit.pk)
    return (
        Visit.objects.filter(later, window_id=visit.window_id, service_date__gte=visit.service_date)
        .order_by("started_at", "pk")
        .values_list("started_at", flat=True)
        .first()
    )


def superseded_at(visit: Visit, tapped_at: datetime) -> datetime | None:
    """The start of the next visit if it began at or before the tap; else None."""
    started = next_visit_start(visit)
    return started if started is not None and started <= tapped_at else None
