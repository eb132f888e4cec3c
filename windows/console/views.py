"""The staff console at the window: thin views over windows.services.

Every page acts on the logged-in member's own sign-in only (no window or session id is
ever taken from the request). The ticket being served is the window's visit in service,
read from the database, so a reload or a second browser shows the same; a form that was
loaded before someone else changed it (its `visit` field names another visit) is refused.
Every POST redirects back to the console.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from windows.hooks import console_panels, panels_by_slot
from windows.models import QueueCategory, Staff, Visit, WindowSession
from windows.queue.services import ticket_transfer
from windows.rules.hall_time import hall_localdate
from windows.selectors import staff_for_user
from windows.services import (
    visit_finish,
    visit_no_show,
    visit_put_back,
    visit_start,
    visit_transfer,
    window_sign_in,
    window_sign_out,
)

from .forms import SignInForm, TransferForm, VisitForm
from .queue import console_etag, console_mode, console_queue, held_at
from .selectors import open_session, serving_at, sign_in_page, window_items

DRAFT_KEY = "console_draft"

ENDINGS = {
    "finish": (visit_finish, gettext_lazy("Ticket %(ticket)s finished: %(count)s item(s).")),
    "transfer": (
        visit_transfer,
        gettext_lazy("Ticket %(ticket)s transferred to another window."),
    ),
    "no-show": (visit_no_show, gettext_lazy("Ticket %(ticket)s marked as no-show.")),
}
TRANSFERRED_TO = gettext_lazy(
    "Ticket %(ticket)s transferred to %(category)s; it waits first in that queue."
)


def console_staff(view: Callable) -> Callable:
    """Logged-in users with a staff profile only; anyone else gets a page that says why."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        staff = staff_for_user(user=request.user)
        if staff is None:
            return render(request, "windows/console/no_staff.html", status=403)
        return view(request, staff, *args, **kwargs)

    return wrapper


def _serving(session: WindowSession | None) -> Visit | None:
    """The ticket being served at the window of this sign-in."""
    return serving_at(window=session.window) if session is not None else None


def _stale_form(request: HttpRequest, serving: Visit | None) -> bool:
    """Whether the posted form was loaded for another visit than the one in service now."""
    posted = request.POST.get("visit", "")
    current = str(serving.pk) if serving else ""
    if posted == current or "visit" not in request.POST:
        return False
    messages.error(
        request, _("The console was out of date (changed in another window); check it again.")
    )
    return True


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _to_console() -> HttpResponse:
    return redirect("console:index")


@require_safe
@console_staff
def console(request: HttpRequest, staff: Staff) -> HttpResponse:
    now = timezone.now()
    today = hall_localdate(staff.hall, now)
    session = open_session(staff=staff, today=today)
    if session is None:
        page = sign_in_page(staff=staff, now=now)
        form = SignInForm(staff=staff, initial={"window": page.suggested})
        context = {"staff": staff, "page": page, "form": form, "today": today}
        return render(request, "windows/console/sign_in.html", context)
    serving = _serving(session)
    draft = request.session.pop(DRAFT_KEY, None) or {}
    items = list(window_items(window=session.window))
    if serving is not None:
        checked = set(serving.visit_items.values_list("service_item_id", flat=True))
    else:
        checked = {int(pk) for pk in draft.get("items", []) if str(pk).isdigit()}
    queue = console_queue(session=session, now=now)
    context = {
        "staff": staff,
        "session": session,
        "serving": serving,
        "queue": queue,
        "mode": console_mode(session, queue),
        "etag": console_etag(session, now=now),
        "lanes": Visit.Lane,
        "transfer_categories": _transfer_categories(staff, queue, serving),
        "items": items,
        "checked": checked,
        "ticket": serving.ticket_no if serving else draft.get("ticket", ""),
        "today": today,
        "statuses": Visit.Status,
        "panels": panels_by_slot(console_panels.collect(request=request, staff=staff, today=today)),
    }
    return render(request, "windows/console/console.html", context)


def _transfer_categories(staff: Staff, queue, serving: Visit | None) -> list[QueueCategory]:
    """The categories 转办 offers: at a queue window, or for a queue ticket in service."""
    if serving is None or (queue is None and serving.category_id is None):
        return []
    return list(QueueCategory.objects.filter(hall=staff.hall).active())


@require_POST
@console_staff
def sign_in(request: HttpRequest, staff: Staff) -> HttpResponse:
    form = SignInForm(request.POST, staff=staff)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_console()
    try:
        session = window_sign_in(staff=staff, window=form.cleaned_data["window"])
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    messages.success(
        request, _("Signed in to window %(number)s.") % {"number": session.window.number}
    )
    return _to_console()


@require_POST
@console_staff
def sign_out(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = open_session(staff=staff, today=hall_localdate(staff.hall))
    serving = _serving(session)
    if _stale_form(request, serving):
        return _to_console()
    called = held_at(window=session.window) if session is not None and serving is None else None
    try:
        closed = window_sign_out(staff=staff, transfer_serving=request.POST.get("transfer") == "1")
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    if closed is not None and called is not None:
        messages.success(
            request,
            _("Ticket %(ticket)s went back to the front of its queue; you have signed out.")
            % {"ticket": called.ticket_no},
        )
    elif closed is not None and serving is not None:
        messages.success(
            request,
            _("Ticket %(ticket)s transferred; you have signed out of the window.")
            % {"ticket": serving.ticket_no},
        )
    elif closed is not None:
        messages.success(request, _("You have signed out of the window."))
    return _to_console()


@require_POST
@console_staff
def start(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = open_session(staff=staff, today=hall_localdate(staff.hall))
    if session is None:
        messages.error(request, _("Sign in to a window first."))
        return _to_console()
    form = VisitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _kept_draft(request)
    try:
        visit_start(
            session=session,
            ticket_no=form.cleaned_data["ticket_no"],
            service_items=form.cleaned_data["service_items"],
        )
    except ValidationError as exc:
        _error(request, exc)
        return _kept_draft(request)
    return _to_console()


def _kept_draft(request: HttpRequest) -> HttpResponse:
    """Back to the console with what was typed, to correct it (a start that succeeds
    keeps nothing: writing the session on every start would be a write for nothing)."""
    request.session[DRAFT_KEY] = {
        "ticket": request.POST.get("ticket_no", "")[:40],
        "items": request.POST.getlist("service_items")[:50],
    }
    return _to_console()


@require_POST
@console_staff
def end(request: HttpRequest, staff: Staff, outcome: str) -> HttpResponse:
    service, success = ENDINGS[outcome]
    session = open_session(staff=staff, today=hall_localdate(staff.hall))
    serving = _serving(session)
    if _stale_form(request, serving):
        return _to_console()
    if session is None or serving is None:
        messages.error(request, _("No ticket is being served; start one first."))
        return _to_console()
    form = VisitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_console()
    if outcome == "transfer":
        return _transfer(request, staff, session, serving, form)
    try:
        visit = service(session=session, visit=serving, service_items=form.chosen_items())
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    messages.success(request, success % {"ticket": visit.ticket_no, "count": visit.item_count})
    return _to_console()


def _transfer(
    request: HttpRequest, staff: Staff, session: WindowSession, serving: Visit, form: VisitForm
) -> HttpResponse:
    """转办: to a business category's queue (first there), or, for a typed ticket without a
    category chosen, to another window as before the portal had a queue."""
    target = TransferForm(request.POST, hall=staff.hall)
    if not target.is_valid():
        _form_errors(request, target)
        return _to_console()
    category = target.cleaned_data["category"]
    if category is None and serving.category_id is not None:
        messages.error(
            request,
            _("Choose the business category to transfer ticket %(ticket)s to.")
            % {"ticket": serving.ticket_no},
        )
        return _to_console()
    try:
        if category is None:
            visit = visit_transfer(
                session=session, visit=serving, service_items=form.chosen_items()
            )
        else:
            visit = ticket_transfer(
                session=session,
                visit=serving,
                category=category,
                service_items=form.chosen_items(),
            )
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    if category is None:
        message = ENDINGS["transfer"][1] % {"ticket": visit.ticket_no}
    else:
        message = TRANSFERRED_TO % {"ticket": visit.ticket_no, "category": category.name}
    messages.success(request, message)
    return _to_console()


@require_POST
@console_staff
def discard(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = open_session(staff=staff, today=hall_localdate(staff.hall))
    serving = _serving(session)
    if serving is None or _stale_form(request, serving):
        return _to_console()
    if serving.category_id is not None:
        # A ticket of the hall's queue was issued for real: deleting it would lose it.
        messages.error(
            request,
            _("Ticket %(ticket)s came from the queue; transfer it or mark it as no-show.")
            % {"ticket": serving.ticket_no},
        )
        return _to_console()
    try:
        visit_put_back(session=session, visit=serving)
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    messages.info(
        request,
        _("Ticket %(ticket)s was put back; nothing was recorded.") % {"ticket": serving.ticket_no},
    )
    return _to_console()
