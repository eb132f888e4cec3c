"""What a rating tablet shows: the badge card of the staff member serving, or a visit to rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from evaluations.models import Rating, TabletDevice
from evaluations.selectors.surveys import should_invite
from windows.models import Staff, Visit, Window, WindowSession
from windows.selectors import badge_initials


@dataclass(frozen=True)
class BadgeCard:
    name: str
    badge_no: str
    job_title: str
    department: str
    photo_url: str
    initials: str  # shown when there is no photo, as on the staff member's home page


@dataclass(frozen=True)
class PendingVisit:
    visit_id: int
    ticket_no: str
    deadline: datetime
    seconds_left: int


@dataclass(frozen=True)
class TabletState:
    hall_name: str
    window_number: int
    window_name: str
    staff: BadgeCard | None  # None: nobody signed in, the window is closed (暂停服务)
    pending: PendingVisit | None
    invite_questionnaire: bool = False  # after every k-th rating (TabletDevice)


def tablet_pending_visit(*, window: Window, now: datetime | None = None) -> Visit | None:
    """The window's latest completed visit if it is unrated and finished within the timeout.

    Only the latest one: once a newer visit has finished, an older one is not offered.
    """
    now = now or timezone.now()
    timeout = timedelta(seconds=window.hall.rating_timeout_seconds)
    latest = (
        Visit.objects.completed()
        .filter(window=window, finished_at__lte=now)
        .select_related("hall")
        .order_by("-finished_at", "-pk")
        .first()
    )
    if latest is None or latest.finished_at + timeout <= now:
        return None
    if Rating.objects.filter(visit=latest).exists():
        return None
    return latest


def badge_card(staff: Staff) -> BadgeCard:
    return BadgeCard(
        name=staff.display_name,
        badge_no=staff.badge_no,
        job_title=staff.job_title,
        department=staff.department.name if staff.department_id else "",
        photo_url=staff.photo.url if staff.photo else "",
        initials=badge_initials(staff.display_name),
    )


def tablet_state(*, device: TabletDevice, now: datetime | None = None) -> TabletState:
    now = now or timezone.now()
    window = device.window
    session = (
        WindowSession.objects.open()
        .filter(window=window)
        .select_related("staff__department")
        .first()
    )
    visit = tablet_pending_visit(window=window, now=now)
    pending = None
    if visit is not None:
        deadline = visit.finished_at + timedelta(seconds=window.hall.rating_timeout_seconds)
        pending = PendingVisit(
            visit_id=visit.pk,
            ticket_no=visit.ticket_no,
            deadline=deadline,
            seconds_left=max(int((deadline - now).total_seconds()), 0),
        )
    return TabletState(
        hall_name=window.hall.name,
        window_number=window.number,
        window_name=str(window),
        staff=badge_card(session.staff) if session else None,
        pending=pending,
        invite_questionnaire=pending is None and should_invite(device=device),
    )
