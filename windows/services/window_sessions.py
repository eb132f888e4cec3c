"""Signing in to a window (挂牌上岗) and out of it, at the staff console.

A visit in service belongs to the window: signing out or moving to another window while a
ticket is being served would leave it with nobody, so both refuse unless the member hands
the ticket on (sign-out transfers it: 转办). A ticket of the hall's queue only called to the
window (the citizen not there yet) goes back to the front of its queue when the member
signs out or moves to another window, so no other window waits for it. Sign-ins and
visits left open on an earlier day are closed when someone takes the window (the visit
as abandoned; see `visits_abandon_stale`).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from windows.live import window_touch, windows_touch
from windows.models import Staff, Visit, Window, WindowSession
from windows.rules.hall_time import hall_localdate, hall_localtime

from .visits import visit_transfer, visits_abandon_stale, window_label


def _local_time(hall, moment: datetime) -> str:
    return hall_localtime(hall, moment).strftime("%H:%M")


def _serving_at(session: WindowSession) -> Visit | None:
    return Visit.objects.in_service().filter(window_id=session.window_id).first()


def _return_called(session: WindowSession, now: datetime) -> None:
    """Give the ticket called to the session's window back to the front of its queue."""
    # Imported here: windows.queue.services imports this package's visits module.
    from windows.queue.services import ticket_return

    called = Visit.objects.filter(window_id=session.window_id, status=Visit.Status.CALLED).first()
    if called is not None:
        ticket_return(session=session, visit=called, now=now)


def _transfer_serving(session: WindowSession, serving: Visit, now: datetime) -> None:
    """Hand the ticket in service on: a ticket of the hall's queue waits first in its own
    business category again (another window of it calls it next); a typed one is
    transferred to another window as before."""
    from windows.queue.services import ticket_transfer

    if serving.category_id is not None and serving.category.is_active:
        ticket_transfer(session=session, visit=serving, category=serving.category, now=now)
    else:
        visit_transfer(session=session, visit=serving, now=now)


@transaction.atomic
def window_sign_in(*, staff: Staff, window: Window, now: datetime | None = None) -> WindowSession:
    """Sign the staff member in to the window for the day (挂牌上岗).

    Closes the member's own earlier sign-in (at this or another window, unless a ticket is
    being served there) and a sign-in that someone else forgot to close on an earlier day;
    refuses a window that another member holds today.
    """
    now = now or timezone.now()
    today = hall_localdate(window.hall, now)
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
        if hall_localdate(window.hall, held.started_at) < today:
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
                    "time": _local_time(window.hall, held.started_at),
                }
            )
    visits_abandon_stale(window=window, now=now)
    own = WindowSession.objects.open().filter(staff=staff).select_related("window").first()
    if own is not None:
        if own.window_id == window.pk and hall_localdate(window.hall, own.started_at) == today:
            return own
        serving = _serving_at(own) if own.window_id != window.pk else None
        if serving is not None:
            raise ValidationError(
                _(
                    "Ticket %(ticket)s is being served at %(window)s; finish it, transfer it "
                    "or mark it as no-show before moving to another window."
                )
                % {"ticket": serving.ticket_no, "window": window_label(own.window)}
            )
        _return_called(own, now)
        own.ended_at = now
        own.save(update_fields=["ended_at"])
    windows_touch([window.pk, own.window_id if own else None])
    try:
        with transaction.atomic():
            return WindowSession.objects.create(window=window, staff=staff, started_at=now)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(window)s was just taken by someone else; choose another window.")
            % {"window": window_label(window)}
        ) from exc


@transaction.atomic
def window_sign_out(
    *, staff: Staff, now: datetime | None = None, transfer_serving: bool = False
) -> WindowSession | None:
    """Close the staff member's open sign-in; None if there was none (a repeated click).

    A ticket being served at the window is transferred (转办) when `transfer_serving` is
    set (a queue ticket back to the front of its business category); otherwise signing
    out is refused, so no visit is left without anyone serving it.
    A ticket only called to the window goes back to the front of its queue.
    """
    now = now or timezone.now()
    session = (
        WindowSession.objects.select_for_update()
        .open()
        .filter(staff=staff)
        .select_related("window__hall", "staff")
        .first()
    )
    if session is None:
        return None
    serving = _serving_at(session)
    if serving is not None:
        if not transfer_serving:
            raise ValidationError(
                _("Finish ticket %(ticket)s, transfer it or mark it as no-show before signing out.")
                % {"ticket": serving.ticket_no}
            )
        _transfer_serving(session, serving, now)
    else:
        _return_called(session, now)
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    window_touch(session.window_id)
    return session
