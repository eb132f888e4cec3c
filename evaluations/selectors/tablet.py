"""What a rating tablet shows: the badge card of the staff member serving, or a visit to rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from evaluations.models import Rating, TabletDevice
from evaluations.rating_window import rating_deadline
from evaluations.selectors.surveys import should_invite
from windows.models import Staff, Visit, Window, WindowSession
from windows.rules.hall_time import hall_localdate
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
class ServingVisit:
    ticket_no: str
    started_at: datetime


@dataclass(frozen=True)
class TabletState:
    hall_name: str
    window_number: int
    window_name: str
    staff: BadgeCard | None  # None: nobody signed in, the window is closed (暂停服务)
    pending: PendingVisit | None
    serving: ServingVisit | None = None  # a ticket in service now: no rating prompt
    invite_questionnaire: bool = False  # after every k-th rating (TabletDevice)


def latest_visit(*, window: Window, now: datetime | None = None) -> Visit | None:
    """The window's visit that started last (in service or ended), today or yesterday."""
    now = now or timezone.now()
    since = hall_localdate(window.hall, now) - timedelta(days=1)
    return (
        Visit.objects.filter(window=window, service_date__gte=since, started_at__lte=now)
        .select_related("hall")
        .order_by("-started_at", "-pk")
        .first()
    )


def tablet_pending_visit(
    *, window: Window, now: datetime | None = None, latest: Visit | None = None
) -> Visit | None:
    """The visit the window's tablet offers for rating, if any.

    Only the visit of the citizen still at the window: the window's latest visit, when it
    is completed, unrated and finished within the hall's rating timeout. Once the next
    visit starts (开始办理), the one before is never offered again.
    """
    now = now or timezone.now()
    latest = latest or latest_visit(window=window, now=now)
    if latest is None or latest.status != Visit.Status.COMPLETED:
        return None
    if latest.finished_at > now or rating_deadline(latest) <= now:
        return None
    if Rating.objects.filter(visit=latest).exists():
        return None
    return latest


# A tablet that polls with the state's ETag gets 304 while the window's live version is
# unchanged (windows.live), and a full state at least this often whatever happened.
STATE_REFRESH_SECONDS = 10


def tablet_state_etag(*, device: TabletDevice, now: datetime | None = None) -> str:
    """The version of the tablet's state: the window's live version, the device's
    settings and a 10-second period (so nothing a bump missed lasts longer)."""
    now = now or timezone.now()
    period = int(now.timestamp()) // STATE_REFRESH_SECONDS
    window = device.window
    return (
        f'W/"{window.pk}.{window.live_version}.{device.pk}.{device.questionnaire_every}.{period}"'
    )


def badge_card(staff: Staff) -> BadgeCard:
    return BadgeCard(
        name=staff.display_name,
        badge_no=staff.badge_no,
        job_title=staff.job_title,
        department=staff.department.name if staff.department_id else "",
        # The tablet's own view (evaluations/tablet/files.py): the photo has no public URL.
        photo_url=reverse("tablet:staff-photo", args=[staff.pk]) if staff.photo else "",
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
    latest = latest_visit(window=window, now=now)
    serving = None
    if latest is not None and latest.status == Visit.Status.IN_SERVICE:
        serving = ServingVisit(ticket_no=latest.ticket_no, started_at=latest.started_at)
    visit = None
    if latest is not None and serving is None:
        visit = tablet_pending_visit(window=window, now=now, latest=latest)
    pending = None
    if visit is not None:
        deadline = rating_deadline(visit)
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
        serving=serving,
        invite_questionnaire=pending is None and should_invite(device=device),
    )
