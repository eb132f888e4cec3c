"""Calling at the window (叫号, 重呼, 过号, 退回, 开始办理) and the console's live panel:
thin views over windows.queue.services.

As in the console's other views, the window is the logged-in member's own sign-in; the
ticket acted on is posted by id, looked up in the member's hall only, and the services
refuse a ticket that is not called to this window (so another window's or another hall's
ticket is never changed). A form loaded before something changed (a double click, another
browser of the window) does nothing: the console then shows what is at the window.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from windows.models import Staff, Visit, WindowSession
from windows.queue.services import (
    ticket_call_next,
    ticket_no_show,
    ticket_recall,
    ticket_return,
    ticket_start,
)
from windows.rules.hall_time import hall_localdate

from .forms import VisitForm
from .queue import console_etag, console_mode, console_queue, held_at
from .selectors import open_session
from .views import _error, _form_errors, _kept_draft, _to_console, console_staff

OUT_OF_DATE = gettext_lazy(
    "The console was out of date (changed in another window); check it again."
)


def _session(request: HttpRequest, staff: Staff) -> WindowSession | None:
    session = open_session(staff=staff, today=hall_localdate(staff.hall))
    if session is None:
        messages.error(request, _("Sign in to a window first."))
    return session


def _posted_visit(request: HttpRequest, staff: Staff, field: str = "visit") -> Visit | None:
    """The posted ticket, of the member's own hall only; None (and a message) otherwise."""
    posted = request.POST.get(field, "")
    visit = None
    if posted.isdigit():
        visit = Visit.objects.filter(pk=int(posted), hall=staff.hall).first()
    if visit is None:
        messages.error(request, str(OUT_OF_DATE))
    return visit


@require_POST
@console_staff
def call(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = _session(request, staff)
    if session is None:
        return _to_console()
    if request.POST.get("held") == "" and held_at(window=session.window) is not None:
        # The page showed nothing at the window, and now a ticket is there: a second press
        # of 叫号, or another browser of the window called first. Show it; call no other.
        return _to_console()
    try:
        visit = ticket_call_next(session=session)
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    if visit is None:
        messages.info(request, _("No ticket is waiting now."))
    return _to_console()


@require_POST
@console_staff
def recall(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = _session(request, staff)
    visit = _posted_visit(request, staff) if session is not None else None
    if visit is None:
        return _to_console()
    posted = request.POST.get("recalls")
    if (
        posted is not None
        and posted != str(visit.recalls)
        and visit.window_id == session.window_id
        and visit.status == Visit.Status.CALLED
    ):
        return _to_console()  # a second press: the ticket was recalled already
    try:
        visit = ticket_recall(session=session, visit=visit)
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    messages.success(
        request,
        _("Ticket %(ticket)s recalled (%(done)s of %(limit)s).")
        % {
            "ticket": visit.ticket_no,
            "done": visit.recalls,
            "limit": session.window.hall.queue_recall_limit,
        },
    )
    return _to_console()


@require_POST
@console_staff
def no_show(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = _session(request, staff)
    visit = _posted_visit(request, staff) if session is not None else None
    if visit is None:
        return _to_console()
    try:
        visit = ticket_no_show(session=session, visit=visit)
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    messages.success(
        request, _("Ticket %(ticket)s marked as no-show.") % {"ticket": visit.ticket_no}
    )
    return _to_console()


@require_POST
@console_staff
def give_back(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = _session(request, staff)
    visit = _posted_visit(request, staff) if session is not None else None
    if visit is None:
        return _to_console()
    try:
        visit = ticket_return(session=session, visit=visit)
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    messages.success(
        request,
        _("Ticket %(ticket)s went back to the front of its queue.") % {"ticket": visit.ticket_no},
    )
    return _to_console()


@require_POST
@console_staff
def start(request: HttpRequest, staff: Staff) -> HttpResponse:
    """开始办理 for the called ticket, with the items picked in the console's form."""
    session = _session(request, staff)
    visit = _posted_visit(request, staff, "called") if session is not None else None
    if visit is None:
        return _to_console()
    form = VisitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _kept_draft(request)
    try:
        ticket_start(session=session, visit=visit, service_items=form.cleaned_data["service_items"])
    except ValidationError as exc:
        _error(request, exc)
        return _kept_draft(request)
    return _to_console()


@require_safe
@console_staff
def live(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The queue panel, polled by the console (If-None-Match: 304 while nothing changed)."""
    now = timezone.now()
    session = open_session(staff=staff, today=hall_localdate(staff.hall, now))
    etag = console_etag(session, now=now)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        queue = console_queue(session=session, now=now) if session is not None else None
        context = {
            "session": session,
            "queue": queue,
            "mode": console_mode(session, queue),
            "etag": etag,
            "lanes": Visit.Lane,
        }
        response = render(request, "windows/console/_queue.html", context)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache, private"
    return response
