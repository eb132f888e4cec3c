"""Reads of the complaint pages: who sees which cases, the filtered list, the timeline and
the manager dashboard's figures (all counted in the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from complaints.history_notes import note_text
from complaints.models import Channel, Complaint
from windows import roles
from windows.models import Hall
from windows.rules.hall_time import hall_day_bounds, month_of
from windows.rules.rounding import percent

VIEW_PERMISSION = "complaints.view_complaint"
ACT_PERMISSION = "complaints.change_complaint"
INTAKE_PERMISSION = "complaints.add_complaint"

REACHED_CALLBACK = (
    Complaint.Status.REPLIED,
    Complaint.Status.CALLBACK_DONE,
    Complaint.Status.CLOSED,
)


def late(today: dt.date) -> Q:
    """An open case past its current step's due date on `today` (超期)."""
    return Q(due_date__lt=today) & ~Q(status=Complaint.Status.CLOSED)


UNASSIGNED = Q(handler__isnull=True) & ~Q(status=Complaint.Status.CLOSED)
"""An open case nobody handles yet (未分派): the managers and the duty leader answer for it."""


def in_hall_days(
    field: str, *, hall: Hall | None, start: dt.date | None = None, end: dt.date | None = None
) -> Q:
    """The moment `field` falls in the hall's local days start to end (either may be open);
    without a hall, the installation's days."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": hall_day_bounds(hall, start)[0]})
    if end is not None:
        q &= Q(**{f"{field}__lt": hall_day_bounds(hall, end)[1]})
    return q


def may_view_hall_cases(user) -> bool:
    """Managers and supervisors read every case of their halls."""
    return user.has_perm(VIEW_PERMISSION)


def complaints_for_user(user) -> QuerySet[Complaint]:
    """The cases a user may open: a hall's cases for managers and supervisors of it, else
    only the cases the user handles (a staff member assigned a case)."""
    if may_view_hall_cases(user):
        return Complaint.objects.for_user(user)
    if not user.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(handler=user)


def complaint_list(
    *,
    cases: QuerySet[Complaint],
    today: dt.date,
    channel: str = "",
    status: str = "",
    overdue: str = "",
    unassigned: str = "",
    window=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    hall: Hall | None = None,
) -> QuerySet[Complaint]:
    """The cases matching the list's filters; `overdue` and `unassigned` are "yes", "no" or
    "" (either), "yes" meaning an open case that is late / has no handler. Start and end
    are days of `hall` (the installation's days for a handler's cases of any hall)."""
    if channel:
        cases = cases.filter(channel=channel)
    if status:
        cases = cases.filter(status=status)
    for choice, condition in ((overdue, late(today)), (unassigned, UNASSIGNED)):
        if choice == "yes":
            cases = cases.filter(condition)
        elif choice == "no":
            cases = cases.exclude(condition)
    if window is not None:
        cases = cases.filter(window=window)
    if start is not None or end is not None:
        cases = cases.filter(in_hall_days("received_at", hall=hall, start=start, end=end))
    return cases.select_related("window", "staff", "handler__staff_profile", "hall").order_by(
        "-received_at", "-pk"
    )


def assignable_handlers(hall: Hall) -> QuerySet:
    """Who may handle a hall's case: its managers and its window staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(pk__in=roles.hall_managers(hall).values("pk"))
            | Q(staff_profile__hall=hall, staff_profile__is_active=True)
        )
        .distinct()
        .order_by("username")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    user: object
    from_status: str
    to_status: str
    reason: str
    created: bool

    @property
    def from_label(self) -> str:
        return Complaint.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return Complaint.Status(self.to_status).label


def complaint_timeline(complaint: Complaint) -> list[TimelineEntry]:
    """Every recorded change of the case, oldest first: who, when, status from -> to, why."""
    records = complaint.history.select_related("history_user__staff_profile").order_by(
        "history_date", "pk"
    )
    entries: list[TimelineEntry] = []
    previous = None
    for record in records:
        entries.append(
            TimelineEntry(
                at=record.history_date,
                user=record.history_user,
                from_status=previous.status if previous is not None else "",
                to_status=record.status,
                reason=note_text(record.history_change_reason),
                created=record.history_type == "+",
            )
        )
        previous = record
    return entries


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    label: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    open_cases: int
    unassigned_cases: int
    overdue_cases: int
    closed_this_month: int
    received_this_month: int
    by_channel: tuple[ChannelCount, ...]
    reached_callback: int
    called_back: int
    callback_rate_pct: float | None
    satisfied_at_callback: int
    satisfied_rate_pct: float | None
    overdue_list: QuerySet[Complaint]


def callback_aggregates(today: dt.date) -> dict:
    """The counts behind the overdue cases and the callback rate of any set of cases, for
    aggregate() or a grouped annotate() (the dashboard's, and the regional ranking's per
    hall and month): overdue on `today`, reached the callback step, called back."""
    called = ~Q(callback_result="")
    return {
        "overdue_cases": Count("pk", filter=late(today)),
        "reached_callback": Count("pk", filter=Q(status__in=REACHED_CALLBACK) | called),
        "called_back": Count("pk", filter=called),
    }


def callback_rate_pct(*, called_back: int, reached_callback: int) -> float | None:
    """回访率: cases called back over cases that reached the callback step."""
    return percent(called_back, reached_callback)


def complaint_dashboard(*, hall: Hall, today: dt.date) -> Dashboard:
    """A hall's case figures on `today` (the hall's local day).

    Unassigned: open cases without a handler; overdue: open cases past their due date (the
    case list's `unassigned=yes` and `overdue=yes` filters list exactly these).
    Callback rate: cases with a callback result (satisfied, not satisfied or unreachable)
    over cases that reached the callback step (replied, called back, closed, or reopened
    after a callback). Satisfied rate: satisfied over those called back.
    (The rectification completion beside them comes from the dashboard_tiles hook.)
    """
    closed = Complaint.Status.CLOSED
    cases = Complaint.objects.for_hall(hall)
    this_month = {"hall": hall, "start": month_of(today)[0], "end": today}
    received_this_month = in_hall_days("received_at", **this_month)
    counts = cases.aggregate(
        open_cases=Count("pk", filter=~Q(status=closed)),
        unassigned_cases=Count("pk", filter=UNASSIGNED),
        closed_this_month=Count(
            "pk", filter=Q(status=closed) & in_hall_days("closed_at", **this_month)
        ),
        received_this_month=Count("pk", filter=received_this_month),
        **callback_aggregates(today),
        satisfied=Count("pk", filter=Q(callback_result=Complaint.CallbackResult.SATISFIED)),
    )
    per_channel = dict(
        cases.filter(received_this_month)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return Dashboard(
        open_cases=counts["open_cases"],
        unassigned_cases=counts["unassigned_cases"],
        overdue_cases=counts["overdue_cases"],
        closed_this_month=counts["closed_this_month"],
        received_this_month=counts["received_this_month"],
        by_channel=tuple(
            ChannelCount(channel=value, label=label, count=per_channel.get(value, 0))
            for value, label in Channel.choices
        ),
        reached_callback=counts["reached_callback"],
        called_back=counts["called_back"],
        callback_rate_pct=callback_rate_pct(
            called_back=counts["called_back"], reached_callback=counts["reached_callback"]
        ),
        satisfied_at_callback=counts["satisfied"],
        satisfied_rate_pct=percent(counts["satisfied"], counts["called_back"]),
        overdue_list=cases.filter(late(today))
        .select_related("window", "staff", "handler__staff_profile")
        .order_by("due_date", "pk"),
    )
