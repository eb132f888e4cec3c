"""What the hall's big screen shows, and the version of it the screen polls.

The state is plain JSON data: the tickets called to a window now, the day's last calls
(each with its id, so the screen announces the calls it has not seen yet), the tickets
waiting per business category and, where the hall discloses them (Hall.display_shows_ratings,
好差评 公示), today's evaluation and satisfaction rate per window. The rates come from the
same selector as the results page's live block (evaluations.selectors.results), formatted
by the portal's one percent rule (windows.rules.rounding.percent_text).

The announcement is always Mandarin ("请A012号到5号窗口办理"), whatever the language of the
screen's labels: it is spoken by a zh-CN voice, for the citizens in the hall.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Max, Sum
from django.utils import timezone

from evaluations.selectors.results import day_figures_by_window
from windows.models import Hall, QueueCall, Visit
from windows.queue.selectors import waiting_counts
from windows.rules.hall_time import hall_day_bounds, hall_localdate, hall_localtime
from windows.rules.rounding import percent_text

RECENT_CALLS = 8  # the last calls listed (and announced when new)
CALLING_NOW = 6  # tickets called and not yet at the window, newest call first
# A screen polling with the state's ETag gets 304 while nothing changed, and a full state
# at least this often whatever happened (a category renamed in the admin, a new day).
STATE_REFRESH_SECONDS = 10
ANNOUNCEMENT = "请{ticket}号到{window}号窗口办理"


def announcement(*, ticket_no: str, window_number: int) -> str:
    """The Mandarin sentence the screen speaks for a call or a recall."""
    return ANNOUNCEMENT.format(ticket=ticket_no, window=window_number)


def display_state_etag(*, hall_id: int, now: datetime | None = None) -> str:
    """The version of the screen's state in one query: the hall's queue version, the sum,
    count and last id of its windows' live versions (each only grows: any rating, visit
    or sign-in raises the sum), what the hall lets the screen show, and a 10-second period."""
    now = now or timezone.now()
    row = (
        Hall.objects.filter(pk=hall_id)
        .annotate(
            live=Sum("windows__live_version", default=0),
            window_count=Count("windows"),
            last_window=Max("windows__pk", default=0),
        )
        .values("queue_version", "display_shows_ratings", "live", "window_count", "last_window")
        .first()
    )
    if row is None:
        return 'W/"gone"'
    period = int(now.timestamp()) // STATE_REFRESH_SECONDS
    return (
        f'W/"{hall_id}.{row["queue_version"]}.{row["live"]}.{row["window_count"]}.'
        f'{row["last_window"]}.{int(row["display_shows_ratings"])}.{period}"'
    )


def _time(hall: Hall, moment: datetime) -> str:
    return hall_localtime(hall, moment).strftime("%H:%M")


def _calling_now(hall: Hall, day) -> list[dict]:
    """The tickets called to a window whose citizen has not arrived yet, newest call first."""
    visits = (
        Visit.objects.for_hall(hall)
        .filter(service_date=day, status=Visit.Status.CALLED, window__isnull=False)
        .annotate(last_call=Max("calls__called_at"), last_call_id=Max("calls__pk"))
        .select_related("window")
        .order_by("-last_call_id", "-called_at", "-pk")[:CALLING_NOW]
    )
    return [
        {
            "ticket_no": visit.ticket_no,
            "window": visit.window.number,
            "window_name": str(visit.window),
            "time": _time(hall, visit.last_call or visit.called_at),
        }
        for visit in visits
    ]


def _recent_calls(hall: Hall, day) -> list[dict]:
    start, end = hall_day_bounds(hall, day)
    calls = (
        QueueCall.objects.filter(hall=hall, called_at__gte=start, called_at__lt=end)
        .select_related("visit", "window")
        .order_by("-pk")[:RECENT_CALLS]
    )
    return [
        {
            "id": call.pk,
            "kind": call.kind,
            "ticket_no": call.visit.ticket_no,
            "window": call.window.number,
            "time": _time(hall, call.called_at),
            "announcement": announcement(
                ticket_no=call.visit.ticket_no, window_number=call.window.number
            ),
        }
        for call in calls
    ]


def _ratings(hall: Hall, day) -> list[dict]:
    return [
        {
            "window": row.window.number,
            "name": str(row.window),
            "visits": row.visits,
            "evaluation_rate": percent_text(row.evaluation_rate_pct),
            "satisfaction_rate": percent_text(row.satisfaction_rate_pct),
        }
        for row in day_figures_by_window(hall=hall, day=day)
    ]


def display_state(*, hall: Hall, now: datetime | None = None) -> dict:
    """Everything the hall's big screen shows, as plain JSON data."""
    day = hall_localdate(hall, now)
    waiting = [
        {"prefix": row.category.prefix, "name": row.category.name, "waiting": row.waiting}
        for row in waiting_counts(hall=hall, day=day)
    ]
    return {
        "hall": hall.name,
        "date": day.isoformat(),
        "calling": _calling_now(hall, day),
        "calls": _recent_calls(hall, day),
        "waiting": waiting,
        "waiting_total": sum(row["waiting"] for row in waiting),
        "ratings": _ratings(hall, day) if hall.display_shows_ratings else None,
        "supervision_phone": hall.supervision_phone,
    }
