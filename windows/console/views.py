"""The staff console at the window: thin views over windows.services.visits.

Every page acts on the logged-in member's own sign-in only (no window or session id is
ever taken from the request); the ticket being served is kept in the login session
(see VisitInProgress) and every POST redirects back to the console.
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

from evaluations.services.alerts import open_duty_alerts
from windows.models import Staff, Visit, WindowSession
from windows.selectors import staff_for_user
from windows.services import (
    VisitInProgress,
    visit_finish,
    visit_no_show,
    visit_start,
    visit_transfer,
    window_sign_in,
    window_sign_out,
)

from .forms import SignInForm, VisitForm
from .selectors import console_day, open_session, sign_in_page, window_items

SERVING_KEY = "console_serving"
DRAFT_KEY = "console_draft"

ENDINGS = {
    "finish": (visit_finish, gettext_lazy("Ticket %(ticket)s finished: %(count)s item(s).")),
    "transfer": (
        visit_transfer,
        gettext_lazy("Ticket %(ticket)s transferred to another window."),
    ),
    "no-show": (visit_no_show, gettext_lazy("Ticket %(ticket)s marked as no-show.")),
}


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


def _serving(request: HttpRequest, session: WindowSession | None) -> VisitInProgress | None:
    """The ticket being served under this sign-in; anything else kept is dropped."""
    serving = VisitInProgress.from_dict(request.session.get(SERVING_KEY))
    if serving is None or session is None or serving.session_id != session.pk:
        request.session.pop(SERVING_KEY, None)
        return None
    return serving


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
    today = timezone.localdate(now)
    session = open_session(staff=staff, today=today)
    if session is None:
        page = sign_in_page(staff=staff, now=now)
        form = SignInForm(staff=staff, initial={"window": page.suggested})
        context = {"staff": staff, "page": page, "form": form, "today": today}
        return render(request, "windows/console/sign_in.html", context)
    serving = _serving(request, session)
    draft = request.session.pop(DRAFT_KEY, None) or {}
    items = list(window_items(window=session.window))
    if serving is not None:
        checked = set(serving.item_ids)
    else:
        checked = {int(pk) for pk in draft.get("items", []) if str(pk).isdigit()}
    context = {
        "staff": staff,
        "session": session,
        "serving": serving,
        "items": items,
        "checked": checked,
        "ticket": serving.ticket_no if serving else draft.get("ticket", ""),
        "day": console_day(staff=staff, today=today),
        "today": today,
        "statuses": Visit.Status,
        "duty_alerts": open_duty_alerts(user=request.user, day=today),
    }
    return render(request, "windows/console/console.html", context)


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
    request.session.pop(SERVING_KEY, None)
    messages.success(
        request, _("Signed in to window %(number)s.") % {"number": session.window.number}
    )
    return _to_console()


@require_POST
@console_staff
def sign_out(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = open_session(staff=staff, today=timezone.localdate())
    serving = _serving(request, session)
    if serving is not None:
        messages.error(
            request,
            _("Finish ticket %(ticket)s, transfer it or mark it as no-show before signing out.")
            % {"ticket": serving.ticket_no},
        )
        return _to_console()
    if window_sign_out(staff=staff) is not None:
        messages.success(request, _("You have signed out of the window."))
    return _to_console()


@require_POST
@console_staff
def start(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = open_session(staff=staff, today=timezone.localdate())
    if session is None:
        messages.error(request, _("Sign in to a window first."))
        return _to_console()
    serving = _serving(request, session)
    if serving is not None:
        messages.error(
            request,
            _("Ticket %(ticket)s is being served; finish it first.")
            % {"ticket": serving.ticket_no},
        )
        return _to_console()
    form = VisitForm(request.POST)
    request.session[DRAFT_KEY] = {
        "ticket": request.POST.get("ticket_no", "")[:40],
        "items": request.POST.getlist("service_items")[:50],
    }
    if not form.is_valid():
        _form_errors(request, form)
        return _to_console()
    try:
        serving = visit_start(
            session=session,
            ticket_no=form.cleaned_data["ticket_no"],
            service_items=form.cleaned_data["service_items"],
        )
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    request.session.pop(DRAFT_KEY, None)
    request.session[SERVING_KEY] = serving.to_dict()
    return _to_console()


@require_POST
@console_staff
def end(request: HttpRequest, staff: Staff, outcome: str) -> HttpResponse:
    service, success = ENDINGS[outcome]
    session = open_session(staff=staff, today=timezone.localdate())
    serving = _serving(request, session)
    if session is None or serving is None:
        messages.error(request, _("No ticket is being served; start one first."))
        return _to_console()
    form = VisitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_console()
    try:
        visit = service(session=session, visit=serving, service_items=form.chosen_items())
    except ValidationError as exc:
        _error(request, exc)
        return _to_console()
    request.session.pop(SERVING_KEY, None)
    messages.success(request, success % {"ticket": visit.ticket_no, "count": visit.item_count})
    return _to_console()


@require_POST
@console_staff
def discard(request: HttpRequest, staff: Staff) -> HttpResponse:
    session = open_session(staff=staff, today=timezone.localdate())
    serving = _serving(request, session)
    request.session.pop(SERVING_KEY, None)
    if serving is not None:
        messages.info(
            request,
            _("Ticket %(ticket)s was put back; nothing was recorded.")
            % {"ticket": serving.ticket_no},
        )
    return _to_console()
