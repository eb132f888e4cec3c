"""Reads of the staff console: the sign-in choices, the window's items, today's visits.

The day's figures and ratings beside the form come from evaluations (its console panel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet

from windows.models import DutyAssignment, Hall, ServiceItem, Staff, Visit, Window, WindowSession
from windows.rules.hall_time import hall_localdate, hall_localtime

NOON = time(12, 0)


@dataclass(frozen=True)
class WindowChoice:
    window: Window
    holder: Staff | None  # someone else signed in to it today


@dataclass(frozen=True)
class SignInPage:
    choices: tuple[WindowChoice, ...]
    suggested: Window | None
    rostered: tuple[DutyAssignment, ...]


def open_session(*, staff: Staff, today: date) -> WindowSession | None:
    """The staff member's sign-in of today; one left open on an earlier day does not count."""
    session = (
        WindowSession.objects.open()
        .filter(staff=staff)
        .select_related("window", "window__hall", "staff")
        .first()
    )
    if session is None or hall_localdate(session.window.hall, session.started_at) != today:
        return None
    return session


def serving_at(*, window: Window) -> Visit | None:
    """The visit in service at the window (one at most: a database constraint)."""
    return Visit.objects.in_service().filter(window=window).select_related("window").first()


def sign_in_page(*, staff: Staff, now: datetime) -> SignInPage:
    """The hall's active windows, who holds which today, and the roster's window for now."""
    today = hall_localdate(staff.hall, now)
    holders = {
        session.window_id: session.staff
        for session in WindowSession.objects.open()
        .filter(window__hall=staff.hall)
        .exclude(staff=staff)
        .select_related("staff")
        if hall_localdate(staff.hall, session.started_at) == today
    }
    windows = Window.objects.active().filter(hall=staff.hall).select_related("zone")
    choices = tuple(WindowChoice(window=w, holder=holders.get(w.pk)) for w in windows)
    rostered = tuple(
        DutyAssignment.objects.filter(
            staff=staff,
            date=today,
            role=DutyAssignment.Role.WINDOW,
            window__is_active=True,
            window__hall=staff.hall,
        ).select_related("window")
    )
    return SignInPage(
        choices=choices,
        suggested=roster_window(rostered, now=now, hall=staff.hall),
        rostered=rostered,
    )


def roster_window(
    assignments: tuple[DutyAssignment, ...], *, now: datetime, hall: Hall | None = None
) -> Window | None:
    """The window of the shift that covers the time: full day, else morning or afternoon."""
    current = (
        DutyAssignment.Shift.MORNING
        if hall_localtime(hall, now).time() < NOON
        else DutyAssignment.Shift.AFTERNOON
    )
    by_shift = {duty.shift: duty.window for duty in assignments}
    for shift in (DutyAssignment.Shift.FULL_DAY, current):
        if shift in by_shift:
            return by_shift[shift]
    return next(iter(by_shift.values()), None)


def window_items(*, window: Window) -> QuerySet[ServiceItem]:
    """The items offered at the window: its own, or every published item if it lists none."""
    items = ServiceItem.objects.published()
    if window.service_items.exists():
        items = items.filter(windows=window)
    return items.order_by("code")


def staff_visits_today(*, staff: Staff, today: date) -> QuerySet[Visit]:
    """The member's visits of the day; a ticket only called to the window is not one yet."""
    return Visit.objects.filter(staff=staff, service_date=today).exclude(
        status__in=(Visit.Status.WAITING, Visit.Status.CALLED)
    )
