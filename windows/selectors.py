"""Reads for the staff pages: a staff member's badge card and duty roster, a manager's halls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max

from windows.models import DutyAssignment, Hall, Staff
from windows.rules.hall_time import week_of
from windows.workdays import business_days

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# The model orders shifts by their stored value (alphabetical); a roster reads by the clock.
SHIFT_ORDER = {
    DutyAssignment.Shift.FULL_DAY: 0,
    DutyAssignment.Shift.MORNING: 1,
    DutyAssignment.Shift.AFTERNOON: 2,
}


@dataclass(frozen=True)
class RosterDay:
    date: date
    is_today: bool
    is_business_day: bool
    assignments: tuple[DutyAssignment, ...]


@dataclass(frozen=True)
class StaffHome:
    staff: Staff
    today: date
    today_assignments: tuple[DutyAssignment, ...]
    week: tuple[RosterDay, ...]

    @property
    def initials(self) -> str:
        return badge_initials(self.staff.display_name)

    @property
    def today_is_business_day(self) -> bool:
        return next(day.is_business_day for day in self.week if day.is_today)


def badge_initials(name: str) -> str:
    """What the badge shows instead of a missing photo.

    A Chinese name shows its last two characters (the given name, as work chat apps do);
    a Latin name shows the first letter of its first and last words.
    """
    name = name.strip()
    if not name:
        return "?"
    words = name.split()
    if name.isascii():
        letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
        return letters.upper()
    compact = "".join(words)
    return compact[-2:]


def staff_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Staff | None:
    if not user.is_authenticated:
        return None
    return Staff.objects.select_related("hall", "department").filter(user=user).first()


def staff_home(*, user: AbstractBaseUser | AnonymousUser, today: date) -> StaffHome | None:
    """The user's own badge card, today's duty and this week's roster; None without a profile.

    It takes the user, not a staff id, so a page built on it can only show one's own data.
    """
    staff = staff_for_user(user=user)
    if staff is None:
        return None
    monday, sunday = week_of(today)
    assignments = sorted(
        DutyAssignment.objects.filter(staff=staff, date__range=(monday, sunday)).select_related(
            "window", "window__zone"
        ),
        key=lambda a: (a.date, SHIFT_ORDER.get(a.shift, len(SHIFT_ORDER))),
    )
    open_days = set(business_days(hall=staff.hall, start=monday, end=sunday))
    week = tuple(
        RosterDay(
            date=day,
            is_today=day == today,
            is_business_day=day in open_days,
            assignments=tuple(a for a in assignments if a.date == day),
        )
        for day in (monday + timedelta(days=offset) for offset in range(7))
    )
    today_assignments = next(day.assignments for day in week if day.is_today)
    return StaffHome(staff=staff, today=today, today_assignments=today_assignments, week=week)


def visible_halls(*, user: AbstractBaseUser | AnonymousUser) -> list[Hall]:
    """The halls a manager or supervisor may see, for their landing page."""
    return list(Hall.objects.for_user(user).order_by("code"))


def login_lockout_ends_at(*, username: str) -> datetime | None:
    """When a locked account opens again: the cool-off after its latest failed attempt."""
    cool_off = get_cool_off()
    latest = (
        AccessAttempt.objects.filter(username=username)
        .aggregate(latest=Max("attempt_time"))
        .get("latest")
    )
    if cool_off is None or latest is None:
        return None
    return latest + cool_off
