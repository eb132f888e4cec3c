"""The figures of the hall's own queue (排队), per business category, window and staff
member, for any date range: the one rule the results page, the bulletins and hall_stats
read (issue 14 item 5). It lives in evaluations, beside the rollups' WAIT and SERVICE,
because the results page (evaluations.results) reads it and evaluations never imports
reports; reports.selectors.queue gives it to the bulletins and hall_stats.

The queue's tickets are the visits with a business category (issued by the kiosk, or put
into a category's queue by a transfer), counted as every figure counts them
(Visit.COUNTED_STATUSES: completed, transferred, no-show), of the range's service dates:

- tickets: the counted tickets; visits (接待人次): the completed ones; no_shows (过号);
- no-show rate = no-shows / tickets, in percent, 2 decimals;
- waiting time (evaluations.rollups.WAIT: issue → call, or → start of service when the
  call time is unknown) and service time (start → finish) of the completed tickets, the
  same visits the rollups' averages cover: the mean (the exact sum over the count) and the
  90th percentile (percentile_cont(0.9) on PostgreSQL; on SQLite the same linear
  interpolation between the two ordered values around the 90% position), in minutes,
  2 decimals, half up;
- appointments (预约), per category and for the hall only (a missed appointment has no
  window): the appointments of the range's days that were not cancelled; on time = checked
  in at or before the slot's start; punctuality = on time / appointments, in percent;
  missed = those never checked in (status missed).

Everything is computed in the database: one grouped query per grouping over the visits of
the range through the (hall, service_date) index, and one over the appointments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from evaluations.rollups import CALLED, WAIT, duration_sum, microseconds_between
from evaluations.selectors.percentiles import Percentile90Seconds, interpolated
from windows.models import Appointment, Hall, QueueCall, QueueCategory, Staff, Visit, Window
from windows.rules.rounding import percent, ratio, round_half_up

GROUPS = ("category", "window", "staff")
COLUMN = {"category": "category_id", "window": "window_id", "staff": "staff_id"}
MICROSECONDS_PER_MINUTE = 60_000_000
COMPLETED = Q(status=Visit.Status.COMPLETED)


@dataclass(frozen=True)
class QueueFigures:
    key: str  # the category's prefix, the window's number, the badge; the hall's code
    label: str
    tickets: int
    visits: int
    no_shows: int
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    mean_service_minutes: float | None
    # Per category and for the hall; None for a window or a staff member.
    appointments: int | None = None
    appointments_on_time: int | None = None
    appointments_missed: int | None = None

    @property
    def no_show_rate_pct(self) -> float | None:
        return percent(self.no_shows, self.tickets)

    @property
    def punctuality_pct(self) -> float | None:
        if self.appointments is None:
            return None
        return percent(self.appointments_on_time, self.appointments)

    def as_json(self, *, p90: bool = True) -> dict:
        """The figures as plain JSON values (the bulletins' stored figures; hall_stats
        without the 90th percentile, see queue_summary)."""
        return {
            "tickets": self.tickets,
            "visits": self.visits,
            "no_shows": self.no_shows,
            "no_show_rate_pct": self.no_show_rate_pct,
            "mean_wait_minutes": self.mean_wait_minutes,
            **({"p90_wait_minutes": self.p90_wait_minutes} if p90 else {}),
            "mean_service_minutes": self.mean_service_minutes,
            "appointments": self.appointments,
            "appointments_on_time": self.appointments_on_time,
            "appointments_missed": self.appointments_missed,
            "punctuality_pct": self.punctuality_pct,
        }


@dataclass(frozen=True)
class QueueReport:
    hall: QueueFigures
    categories: list[QueueFigures] = field(default_factory=list)
    windows: list[QueueFigures] = field(default_factory=list)
    staff: list[QueueFigures] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.hall.tickets or self.hall.appointments)


def queue_tickets(*, hall: Hall, start: date, end: date) -> QuerySet[Visit]:
    """The queue's counted tickets of the hall's days start..end."""
    return Visit.objects.filter(
        hall=hall,
        service_date__range=(start, end),
        category__isnull=False,
        status__in=Visit.COUNTED_STATUSES,
    )


def _aggregates(*, p90: bool = True) -> dict:
    aggregates = {
        "tickets": Count("pk"),
        "visits": Count("pk", filter=COMPLETED),
        "no_shows": Count("pk", filter=Q(status=Visit.Status.NO_SHOW)),
        "wait_microseconds": duration_sum(CALLED, "issued_at", COMPLETED),
        "service_microseconds": duration_sum("finished_at", "started_at", COMPLETED),
    }
    if p90 and connection.vendor == "postgresql":
        aggregates["p90_wait_seconds"] = Percentile90Seconds(WAIT, filter=COMPLETED)
    return aggregates


def _minutes(microseconds: int | float | Decimal | None, count: int = 1) -> float | None:
    if microseconds is None or not count:
        return None
    return ratio(Decimal(str(microseconds)), count * MICROSECONDS_PER_MINUTE, places=2)


def _p90_minutes(row: dict, completed: QuerySet | None) -> float | None:
    if completed is None:  # not asked for (queue_summary)
        return None
    if "p90_wait_seconds" in row:
        seconds = row["p90_wait_seconds"]
        return None if seconds is None else round_half_up(Decimal(str(seconds)) / 60, 2)
    # SQLite: the waits in whole microseconds (SQL arithmetic, no Python per row).
    return _minutes(
        interpolated(completed, microseconds_between(CALLED, "issued_at"), row["visits"])
    )


def _figures(
    row: dict, completed: QuerySet | None, *, key: str, label: str, **extra
) -> QueueFigures:
    return QueueFigures(
        key=key,
        label=label,
        tickets=row["tickets"],
        visits=row["visits"],
        no_shows=row["no_shows"],
        mean_wait_minutes=_minutes(row["wait_microseconds"], row["visits"]),
        p90_wait_minutes=_p90_minutes(row, completed),
        mean_service_minutes=_minutes(row["service_microseconds"], row["visits"]),
        **extra,
    )


def _appointments(hall: Hall, start: date, end: date) -> dict:
    """Per category: the appointments not cancelled, on time and missed."""
    rows = (
        Appointment.objects.filter(hall=hall, day__range=(start, end))
        .exclude(status=Appointment.Status.CANCELLED)
        .values("category_id")
        .annotate(
            appointments=Count("pk"),
            appointments_on_time=Count(
                "pk", filter=Q(checked_in_at__isnull=False, checked_in_at__lte=F("starts_at"))
            ),
            appointments_missed=Count("pk", filter=Q(status=Appointment.Status.MISSED)),
        )
        .order_by()
    )
    return {row.pop("category_id"): row for row in rows}


NO_APPOINTMENTS = {"appointments": 0, "appointments_on_time": 0, "appointments_missed": 0}
NO_TICKETS = {"tickets": 0, "visits": 0, "no_shows": 0}


def _labels(group: str, hall: Hall, ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, key, label) of each group's row, in the order shown."""
    if group == "category":
        categories = QueueCategory.objects.filter(hall=hall, pk__in=ids).order_by(
            "sort_order", "prefix"
        )
        return [(row.pk, row.prefix, row.name) for row in categories]
    if group == "window":
        windows = Window.objects.filter(hall=hall, pk__in=ids).order_by("number")
        return [(row.pk, str(row.number), row.name or str(row.number)) for row in windows]
    staff = Staff.objects.filter(hall=hall, pk__in=ids).order_by("badge_no")
    return [(row.pk, row.badge_no, row.display_name) for row in staff]


def _grouped(
    tickets: QuerySet, group: str, hall: Hall, appointments: dict | None
) -> list[QueueFigures]:
    column = COLUMN[group]
    rows = {
        row.pop(column): row
        for row in tickets.filter(**{f"{column}__isnull": False})
        .values(column)
        .annotate(**_aggregates())
        .order_by()
    }
    ids = set(rows) | set(appointments or ())
    empty = {**NO_TICKETS, "wait_microseconds": 0, "service_microseconds": 0}
    figures = []
    for pk, key, label in _labels(group, hall, list(ids)):
        row = rows.get(pk, empty)
        extra = {}
        if appointments is not None:
            extra = appointments.get(pk, NO_APPOINTMENTS)
        completed = tickets.filter(COMPLETED, **{column: pk})
        figures.append(_figures(row, completed, key=key, label=label, **extra))
    return figures


def queue_figures(
    *, hall: Hall, start: date, end: date, groups: tuple[str, ...] = GROUPS
) -> QueueReport:
    """The queue's figures of the hall's days start..end (both included): the hall's,
    and each category's, window's and staff member's (those of `groups`) with a counted
    ticket or, for a category, an appointment in the range."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"groups must be among {', '.join(GROUPS)}")
    tickets = queue_tickets(hall=hall, start=start, end=end)
    appointments = _appointments(hall, start, end)
    totals = {name: sum(row[name] for row in appointments.values()) for name in NO_APPOINTMENTS}
    hall_row = tickets.aggregate(**_aggregates())
    report = {
        group: _grouped(tickets, group, hall, appointments if group == "category" else None)
        for group in groups
    }
    return QueueReport(
        hall=_figures(
            hall_row, tickets.filter(COMPLETED), key=hall.code, label=hall.name, **totals
        ),
        categories=report.get("category", []),
        windows=report.get("window", []),
        staff=report.get("staff", []),
    )


SUMS = ("tickets", "visits", "no_shows", "wait_microseconds", "service_microseconds")


def _queue_called(hall: Hall, start: date, end: date) -> bool:
    """Whether the hall's own queue called a ticket around the range: a QueueCall, through
    its (hall, called_at) index. Every counted ticket of the queue was called to a window
    (windows.queue.services.ticket_call_next records the call), on its service day; the
    range is widened by a day on each side for the time zones."""
    return QueueCall.objects.filter(
        hall=hall,
        called_at__gte=datetime.combine(start - timedelta(days=1), time.min, tzinfo=UTC),
        called_at__lt=datetime.combine(end + timedelta(days=2), time.min, tzinfo=UTC),
    ).exists()


def queue_summary(*, hall: Hall, start: date, end: date) -> QueueReport:
    """The hall's and each category's queue figures without the 90th percentile, for a
    long range (hall_stats' year): one GROUP BY category over the range's tickets (the
    (hall, service_date) index), the hall's figures the sums of the categories' (every
    ticket has one), no sort of the waits; and no scan at all when the hall's own queue
    called no ticket around the range (a hall on an outside queue system)."""
    appointments = _appointments(hall, start, end)
    rows: dict = {}
    if _queue_called(hall, start, end):
        tickets = queue_tickets(hall=hall, start=start, end=end)
        rows = {
            row.pop("category_id"): row
            for row in tickets.values("category_id").annotate(**_aggregates(p90=False)).order_by()
        }
    empty = dict.fromkeys(SUMS, 0)
    categories = [
        _figures(
            rows.get(pk, empty),
            None,
            key=key,
            label=label,
            **appointments.get(pk, NO_APPOINTMENTS),
        )
        for pk, key, label in _labels("category", hall, list(set(rows) | set(appointments)))
    ]
    totals = {name: sum(row[name] for row in rows.values()) for name in SUMS}
    appointment_totals = {
        name: sum(row[name] for row in appointments.values()) for name in NO_APPOINTMENTS
    }
    hall_figures = _figures(totals, None, key=hall.code, label=hall.name, **appointment_totals)
    return QueueReport(hall=hall_figures, categories=categories)
