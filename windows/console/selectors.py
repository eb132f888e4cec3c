"""Reads of the staff console: the sign-in choices and the staff member's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Prefetch, QuerySet

from evaluations.models import Rating
from evaluations.rules import judged_q, rating_class
from evaluations.selectors import ServiceFigures, service_figures
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


@dataclass(frozen=True)
class VisitRow:
    visit: Visit
    item_names: tuple[str, ...]
    rating_level: int | None
    rating_label: str
    rating_class: str  # "good", "bad", "excluded" (evaluations.rules) or "" when unrated

    @property
    def duration(self) -> timedelta | None:
        return self.visit.service_time

    @property
    def duration_text(self) -> str:
        """Minutes and seconds of service, e.g. 8:05 (hours first past an hour)."""
        if self.duration is None:
            return "—"
        minutes, seconds = divmod(int(self.duration.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(frozen=True)
class LevelCount:
    level: int
    label: str
    count: int


@dataclass(frozen=True)
class ConsoleDay:
    rows: tuple[VisitRow, ...]
    figures: ServiceFigures
    ratings: tuple[LevelCount, ...]


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
    return Visit.objects.filter(staff=staff, service_date=today)


def console_day(*, staff: Staff, today: date) -> ConsoleDay:
    """Today's visits of the staff member, newest first, their figures and ratings."""
    visits = staff_visits_today(staff=staff, today=today)
    rows_qs = (
        visits.select_related("window")
        .annotate(rating_level=F("rating__level"), rating_excluded=F("rating__excluded"))
        .prefetch_related(Prefetch("service_items", queryset=ServiceItem.objects.order_by("code")))
        .order_by("-started_at")
    )
    labels = dict(Rating.Level.choices)
    rows = tuple(
        VisitRow(
            visit=visit,
            item_names=tuple(item.name for item in visit.service_items.all()),
            rating_level=visit.rating_level,
            rating_label=str(labels.get(visit.rating_level, "")),
            rating_class=(
                rating_class(level=visit.rating_level, excluded=visit.rating_excluded)
                if visit.rating_level
                else ""
            ),
        )
        for visit in rows_qs
    )
    # The levels of the ratings that count (an excluded one is shown apart, in the figures).
    counts = dict(
        Rating.objects.filter(judged_q(), visit__in=visits)
        .values_list("level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    ratings = tuple(
        LevelCount(level=level, label=str(label), count=counts.get(level, 0))
        for level, label in sorted(labels.items(), reverse=True)
    )
    return ConsoleDay(rows=rows, figures=service_figures(visits), ratings=ratings)
