"""Serving a ticket at the staff console: the visit's whole life is stored on the server.

开始办理 stores the visit as in service (window, staff, ticket, items, started_at); 办结,
转办 and 过号 end it; "put back" (a wrong ticket) deletes it. So a reload of the console,
a second browser, the window's tablet and the hall's figures all read the same state from
the database: one visit in service per window (a database constraint), and a visit in
service is in no figure (figures count completed, transferred and no-show visits only).
A visit still in service when its hall's day is over is closed as abandoned
(`visits_abandon_stale`, run nightly and whenever its window is taken again): it did not
end at the window, so it is neither served nor rated.

At the window only the start of service is known: the console does not know when the
ticket was taken or called, so issued_at and called_at are the start time unless the
caller knows better (waiting times come from the queue-system import). A transferred
visit's finish time is when this window handed it on; a no-show has none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from windows.hooks import visits_changed
from windows.live import window_touch, windows_touch
from windows.models import Hall, ServiceItem, Visit, VisitItem, Window, WindowSession
from windows.rules.hall_time import hall_localdate

TICKET_PATTERN = re.compile(r"^(?=.*[0-9])[A-Z0-9]{1,20}$")


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


def _check_ticket_free(*, visit: Visit | None = None, window: Window, ticket_no: str, day) -> None:
    """A ticket is served once a day: not completed already, nor in service elsewhere."""
    taken = (
        Visit.objects.filter(
            hall_id=window.hall_id,
            ticket_no=ticket_no,
            service_date=day,
            status__in=(Visit.Status.COMPLETED, Visit.Status.IN_SERVICE),
        )
        .exclude(pk=visit.pk if visit else None)
        .select_related("window")
        .first()
    )
    if taken is None:
        return
    if taken.status == Visit.Status.IN_SERVICE:
        message = _("Ticket %(ticket)s is being served at %(window)s.")
    else:
        message = _("Ticket %(ticket)s was already served today at %(window)s.")
    raise ValidationError(
        {"ticket_no": message % {"ticket": ticket_no, "window": window_label(taken.window)}}
    )


def _check_serving(*, session: WindowSession, visit: Visit) -> None:
    _check_session(session)
    if visit.window_id != session.window_id or visit.status != Visit.Status.IN_SERVICE:
        raise ValidationError(
            _("Ticket %(ticket)s is no longer being served at this window.")
            % {"ticket": visit.ticket_no}
        )


def _replace_items(visit: Visit, items: list[ServiceItem]) -> None:
    kept = set(VisitItem.objects.filter(visit=visit).values_list("service_item_id", flat=True))
    wanted = {item.pk for item in items}
    if kept == wanted:
        return
    VisitItem.objects.filter(visit=visit).exclude(service_item_id__in=wanted).delete()
    VisitItem.objects.bulk_create(
        VisitItem(visit=visit, service_item_id=pk) for pk in sorted(wanted - kept)
    )


# --- stale visits ---------------------------------------------------------------------


@transaction.atomic
def visits_abandon_stale(
    *, now: datetime | None = None, window: Window | None = None, hall: Hall | None = None
) -> int:
    """Close the visits still in service (or, of the hall's queue, still waiting or called)
    from an earlier day of their hall as abandoned.

    Nightly for every hall, and before anyone takes a window, so a browser closed in the
    middle of service never blocks the window the next day nor counts in any figure.
    Returns how many were closed.
    """
    now = now or timezone.now()
    # Tickets of the hall's own queue still waiting or called are closed alike.
    stale = Visit.objects.filter(
        status__in=(Visit.Status.IN_SERVICE, Visit.Status.WAITING, Visit.Status.CALLED)
    )
    if window is not None:
        stale = stale.filter(window=window)
    if hall is not None:
        stale = stale.filter(hall=hall)
    halls = Hall.objects.in_bulk(set(stale.values_list("hall_id", flat=True)))
    closed = 0
    for hall_id, found in halls.items():
        old = stale.filter(hall_id=hall_id, service_date__lt=hall_localdate(found, now))
        windows = set(old.values_list("window_id", flat=True))
        closed += old.update(status=Visit.Status.ABANDONED)
        windows_touch(windows)
    return closed


# --- serving a ticket ----------------------------------------------------------------


@transaction.atomic
def visit_start(
    *,
    session: WindowSession,
    ticket_no: str,
    service_items: Iterable[ServiceItem],
    issued_at: datetime | None = None,
    now: datetime | None = None,
) -> Visit:
    """Begin serving a ticket for one or more items (取一次号、办一批事): the visit is stored
    in service, and the window's tablet closes any rating prompt of the visit before."""
    now = now or timezone.now()
    _check_session(session)
    window = session.window
    ticket = ticket_normalize(ticket_no)
    items = _check_items(window=window, service_items=service_items)
    day = hall_localdate(window.hall, now)
    visits_abandon_stale(window=window, now=now)
    serving = Visit.objects.at_window().filter(window=window).first()
    if serving is not None:
        raise ValidationError(
            _("Ticket %(ticket)s is being served; finish it first.") % {"ticket": serving.ticket_no}
        )
    _check_ticket_free(window=window, ticket_no=ticket, day=day)
    if issued_at is not None and issued_at > now:
        raise ValidationError(_("A ticket cannot be issued after its service starts."))
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                hall_id=window.hall_id,
                ticket_no=ticket,
                issued_at=issued_at or now,
                called_at=now,
                started_at=now,
                service_date=day,
                window=window,
                staff=session.staff,
                status=Visit.Status.IN_SERVICE,
                item_count=len(items),
            )
    except IntegrityError as exc:
        # Another browser of the window started a ticket a moment earlier.
        raise ValidationError(
            _("Another ticket was just started at %(window)s; reload the console.")
            % {"window": window_label(window)}
        ) from exc
    VisitItem.objects.bulk_create(VisitItem(visit=visit, service_item=item) for item in items)
    window_touch(window.pk)
    return visit


def _visit_end(
    *,
    session: WindowSession,
    visit: Visit,
    status: str,
    service_items: Iterable[ServiceItem] | None,
    now: datetime | None,
) -> Visit:
    _check_serving(session=session, visit=visit)
    # Without new items the visit keeps the ones chosen at the start (already stored).
    items = None
    if service_items is not None:
        items = _check_items(window=session.window, service_items=service_items)
    if status == Visit.Status.COMPLETED:
        _check_ticket_free(
            visit=visit, window=session.window, ticket_no=visit.ticket_no, day=visit.service_date
        )
    ended_at = max(now or timezone.now(), visit.started_at)
    finished_at = None if status == Visit.Status.NO_SHOW else ended_at
    # Conditional on the visit still being in service: of two browsers ending it at the
    # same moment, exactly one wins, on SQLite and PostgreSQL alike.
    changes = {"status": status, "finished_at": finished_at}
    if items is not None:
        changes["item_count"] = len(items)
    ended = Visit.objects.filter(pk=visit.pk, status=Visit.Status.IN_SERVICE).update(**changes)
    if not ended:
        raise ValidationError(
            _("Ticket %(ticket)s is no longer being served at this window.")
            % {"ticket": visit.ticket_no}
        )
    if items is not None:
        _replace_items(visit, items)
    # The visit now counts: the figures of its window's day (evaluations' daily rollups).
    visits_changed.collect(hall_id=visit.hall_id, window_id=visit.window_id, day=visit.service_date)
    window_touch(visit.window_id)
    visit.refresh_from_db()
    return visit


@transaction.atomic
def visit_finish(
    *,
    session: WindowSession,
    visit: Visit,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """End the visit as completed (办结); the window's tablet then asks for a rating.

    `service_items`, if given, replaces the items chosen at the start (the citizen asked
    for one more matter while being served).
    """
    return _visit_end(
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
    visit: Visit,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """End the visit as transferred (转办) to another window; it is not rated here."""
    return _visit_end(
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
    visit: Visit,
    service_items: Iterable[ServiceItem] | None = None,
    now: datetime | None = None,
) -> Visit:
    """End the visit as a no-show (过号): called, the citizen did not come."""
    return _visit_end(
        session=session,
        visit=visit,
        status=Visit.Status.NO_SHOW,
        service_items=service_items,
        now=now,
    )


@transaction.atomic
def visit_put_back(*, session: WindowSession, visit: Visit) -> None:
    """Delete a visit started by mistake (a wrong ticket): nothing of it is recorded."""
    _check_serving(session=session, visit=visit)
    Visit.objects.filter(pk=visit.pk, status=Visit.Status.IN_SERVICE).delete()
    window_touch(visit.window_id)
