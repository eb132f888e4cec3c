"""The staff console's writes: signing in to a window (挂牌上岗) and serving tickets.

A Visit row has no "in progress" status: its rows are what the hall reports, and a
completed visit needs its finish time. So the visit being served lives outside the
database until it ends: `visit_start` validates and returns a `VisitInProgress`, which
the console keeps in the staff member's login session; `visit_finish`, `visit_transfer`
and `visit_no_show` store the Visit with its items.

At the window only the start of service is known: the console does not know when the
ticket was taken or called, so issued_at and called_at are the start time unless the
caller knows better (waiting times come from the queue-system import). A transferred
visit's finish time is when this window handed it on; a no-show has none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from windows.models import ServiceItem, Staff, Visit, VisitItem, Window, WindowSession

TICKET_PATTERN = re.compile(r"^(?=.*[0-9])[A-Z0-9]{1,20}$")


@dataclass(frozen=True)
class VisitInProgress:
    """The ticket being served at a window, kept by the console until service ends."""

    session_id: int
    ticket_no: str
    item_ids: tuple[int, ...]
    started_at: datetime
    issued_at: datetime

    def to_dict(self) -> dict:
        return {
            "session_id": self.session_id,
            "ticket_no": self.ticket_no,
            "item_ids": list(self.item_ids),
            "started_at": self.started_at.isoformat(),
            "issued_at": self.issued_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object) -> VisitInProgress | None:
        """The visit kept in a session, or None for anything malformed."""
        if not isinstance(data, dict):
            return None
        try:
            started_at = parse_datetime(data["started_at"])
            issued_at = parse_datetime(data["issued_at"])
            if started_at is None or issued_at is None:
                return None
            return cls(
                session_id=int(data["session_id"]),
                ticket_no=str(data["ticket_no"]),
                item_ids=tuple(int(pk) for pk in data["item_ids"]),
                started_at=started_at,
                issued_at=issued_at,
            )
        except (KeyError, TypeError, ValueError):
            return None


def ticket_normalize(raw: str) -> str:
    """A ticket number in upper case, full-width characters (from an IME) made ASCII."""
    ticket = unicodedata.normalize("NFKC", raw or "").strip().upper()
    if not TICKET_PATTERN.match(ticket):
        raise ValidationError(
            {"ticket_no": _("A ticket number is 1-20 letters and digits, e.g. A012.")}
        )
    return ticket


def window_label(window: Window) -> str:
    return _("Window %(number)s") % {"number": window.number}


def _local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


# --- signing in to a window ----------------------------------------------------------


@transaction.atomic
def window_sign_in(*, staff: Staff, window: Window, now: datetime | None = None) -> WindowSession:
    """Sign the staff member in to the window for the day (挂牌上岗).

    Closes the member's own earlier sign-in (at this or another window) and a sign-in
    that someone else forgot to close on an earlier day; refuses a window that another
    member holds today.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not staff.is_active:
        raise ValidationError(
            _("Your profile is marked as not on duty in the hall; ask a manager to change it.")
        )
    if window.hall_id != staff.hall_id:
        raise ValidationError(
            _("%(window)s belongs to another hall.") % {"window": window_label(window)}
        )
    if not window.is_active:
        raise ValidationError(
            _("%(window)s is closed; choose another window.") % {"window": window_label(window)}
        )
    held = (
        WindowSession.objects.open()
        .filter(window=window)
        .exclude(staff=staff)
        .select_related("staff")
        .first()
    )
    if held is not None:
        if timezone.localdate(held.started_at) < today:
            held.ended_at = now
            held.save(update_fields=["ended_at"])
        else:
            raise ValidationError(
                _(
                    "%(window)s is held by %(name)s (badge %(badge)s) since %(time)s; "
                    "they must sign out first."
                )
                % {
                    "window": window_label(window),
                    "name": held.staff.display_name,
                    "badge": held.staff.badge_no,
                    "time": _local_time(held.started_at),
                }
            )
    own = WindowSession.objects.open().filter(staff=staff).first()
    if own is not None:
        if own.window_id == window.pk and timezone.localdate(own.started_at) == today:
            return own
        own.ended_at = now
        own.save(update_fields=["ended_at"])
    try:
        with transaction.atomic():
            return WindowSession.objects.create(window=window, staff=staff, started_at=now)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(window)s was just taken by someone else; choose another window.")
            % {"window": window_label(window)}
        ) from exc


@transaction.atomic
def window_sign_out(*, staff: Staff, now: datetime | None = None) -> WindowSession | None:
    """Close the staff member's open sign-in; None if there was none (a repeated click)."""
    session = WindowSession.objects.open().filter(staff=staff).first()
    if session is None:
        return None
    session.ended_at = now or timezone.now()
    session.save(update_fields=["ended_at"])
    return session


# --- serving a ticket ----------------------------------------------------------------


def _check_session(session: WindowSession) -> None:
    if session.ended_at is not None:
        raise ValidationError(_("You are no longer signed in to this window; sign in again."))


def _check_items(*, window: Window, service_items: Iterable[ServiceItem]) -> list[ServiceItem]:
    """The chosen items, once each; published, and handled at the window if it lists any."""
    items = list({item.pk: item for item in service_items}.values())
    if not items:
        raise ValidationError({"service_items": _("Pick at least one service item.")})
    window_item_ids = set(window.service_items.values_list("pk", flat=True))
    for item in items:
        if not item.is_published:
            raise ValidationError(
                {
                    "service_items": _("%(item)s is not a published service item.")
                    % {"item": f"{item.code} {item.name}"}
                }
            )
        if window_item_ids and item.pk not in window_item_ids:
            raise ValidationError(
                {
                    "service_items": _("%(item)s is not handled at %(window)s.")
                    % {"item": f"{item.code} {item.name}", "window": window_label(window)}
                }
            )
    return sorted(items, key=lambda item: item.code)


def _check_not_completed_today(*, window: Window, ticket_no: str, day) -> None:
    done = (
        Visit.objects.completed()
        .filter(hall_id=window.hall_id, ticket_no=ticket_no, service_date=day)
        .select_related("window")
        .first()
    )
    if done is not None:
        raise ValidationError(
            {
                "ticket_no": _("Ticket %(ticket)s was already served today at %(window)s.")
                % {"ticket": ticket_no, "window": window_label(done.window)}
            }
        )


def visit_start(
    *,
    session: WindowSession,
    ticket_no: str,
    service_items: Iterable[ServiceItem],
    issued_at: datetime | None = None,
    now: datetime | None = None,
) -> VisitInProgress:
    """Begin serving a ticket for one or more items (取一次号、办一批事); stores nothing."""
    now = now or timezone.now()
    _check_session(session)
    ticket = ticket_normalize(ticket_no)
    items = _check_items(window=session.window, service_items=service_items)
    _check_not_completed_today(window=session.window, ticket_no=ticket, day=timezone.localdate(now))
    if issued_at is not None and issued_at > now:
        raise ValidationError(_("A ticket cannot be issued after its service starts."))
    return VisitInProgress(
        session_id=session.pk,
        ticket_no=ticket,
        item_ids=tuple(item.pk for item in items),
        started_at=now,
        issued_at=issued_at or now,
    )


def _visit_store(
    *,
    session: WindowSession,
    visit: VisitInProgress,
    status: str,
    service_items: Iterable[ServiceItem] | None,
    now: datetime | None,
) -> Visit:
    _check_session(session)
    if visit.session_id != session.pk:
        raise ValidationError(
            _("Ticket %(ticket)s was started under an earlier sign-in; start it again.")
            % {"ticket": visit.ticket_no}
        )
    window = session.window
    if service_items is None:
        service_items = ServiceItem.objects.filter(pk__in=visit.item_ids)
    items = _check_items(window=window, service_items=service_items)
    service_date = timezone.localdate(visit.started_at)
    if status == Visit.Status.COMPLETED:
        _check_not_completed_today(window=window, ticket_no=visit.ticket_no, day=service_date)
    ended_at = max(now or timezone.now(), visit.started_at)
    try:
        with transaction.atomic():
            stored = Visit.objects.create(
                hall_id=window.hall_id,
                ticket_no=visit.ticket_no,
                issued_at=min(visit.issued_at, visit.started_at),
                called_at=visit.started_at,
                started_at=visit.started_at,
                finished_at=None if status == Visit.Status.NO_SHOW else ended_at,
                service_date=service_date,
                window=window,
                staff=session.staff,
                status=status,
                item_count=len(items),
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Ticket %(ticket)s is already recorded; it cannot be recorded twice.")
            % {"ticket": visit.ticket_no}
        ) from exc
    VisitItem.objects.bulk_create(VisitItem(visit=stored, service_item=item) for item in items)
    return stored


@transaction.atomic
def visit_finish(
    *,
    session: WindowSession,
    visit: VisitInProgress,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """Store the ticket as completed (办结); the window's tablet then asks for a rating.

    `service_items`, if given, replaces the items chosen at the start (the citizen asked
    for one more matter while being served).
    """
    return _visit_store(
        session=session,
        visit=visit,
        status=Visit.Status.COMPLETED,
        service_items=service_items,
        now=now,
    )


@transaction.atomic
def visit_transfer(
    *,
    session: WindowSession,
    visit: VisitInProgress,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """Store the ticket as transferred (转办) to another window; it is not rated here."""
    return _visit_store(
        session=session,
        visit=visit,
        status=Visit.Status.TRANSFERRED,
        service_items=service_items,
        now=now,
    )


@transaction.atomic
def visit_no_show(
    *,
    session: WindowSession,
    visit: VisitInProgress,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """Store the ticket as a no-show (过号): called, the citizen did not come."""
    return _visit_store(
        session=session,
        visit=visit,
        status=Visit.Status.NO_SHOW,
        service_items=service_items,
        now=now,
    )
