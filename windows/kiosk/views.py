"""The ticket kiosk at the hall's entrance (一键取号), mounted at /kiosk/.

A kiosk is a HallDevice of kind kiosk (windows/hall_devices.py): paired once with a
manager's one-time code, it then carries its device token in the `hall_kiosk` cookie and
shows only its own hall. A tap on a category posts a form; the answer is the ticket page.

Double taps: each category page carries a one-time nonce (signed, naming the kiosk). The
first post with it claims it in the shared cache and issues; a second post with the same
nonce (a double tap, a reload of the ticket page) shows the ticket the first one issued
and issues nothing.
"""

from __future__ import annotations

import math
import secrets
import time

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from windows import hall_devices, pairing_limits, slot_counter
from windows.booking.services import appointment_check_in
from windows.kiosk.forms import CheckInForm, IssueForm, PairingForm
from windows.models import HallDevice, QueueCategory, Visit
from windows.queue.selectors import ticket_position, waiting_counts
from windows.queue.services import ticket_issue
from windows.rules.hall_time import hall_localtime

KIND = HallDevice.Kind.KIOSK
COOKIE = hall_devices.COOKIES[KIND]
# The kiosk stays paired until a manager revokes it; the cookie just has to outlive it.
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
NONCE_SALT = "windows.kiosk.nonce"
NONCE_MAX_AGE = 2 * 3600  # the category page reloads itself every minute
RETURN_AFTER_SECONDS = 15  # the ticket page goes back to the categories
REFRESH_SECONDS = 60  # the categories page reloads (waiting counts, a fresh nonce)
SAME_NONCE_WAIT_SECONDS = 3.0  # a second post waits this long for the first one's ticket
# A kiosk at the busiest hall issues a few tickets a minute; more is a stuck or abused one.
TICKETS_PER_MINUTE = 30


def kiosk_from_request(request: HttpRequest) -> HallDevice | None:
    return hall_devices.hall_device_from_request(request, kind=KIND)


# --- pairing --------------------------------------------------------------------------


def _render_pair(request: HttpRequest, form: PairingForm, status: int) -> HttpResponse:
    return render(
        request,
        "windows/kiosk/pair.html",
        {"form": form, "digits": hall_devices.PAIRING_CODE_DIGITS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest) -> HttpResponse:
    """A manager's pairing code (typed in, or from the QR link) becomes the kiosk cookie.

    Opening the link only fills in the code; the exchange happens on the POST. Failed
    attempts are limited per address (windows/pairing_limits.py).
    """
    if request.method != "POST":
        form = PairingForm(initial={"code": request.GET.get("code", "")[:20]})
        return _render_pair(request, form, 200)
    form = PairingForm(request.POST)
    attempt = pairing_limits.attempt_begin(request)
    if not attempt.allowed:
        # Refused before the code is looked at, a right one too.
        form.errors["code"] = form.error_class([pairing_limits.refusal_message(attempt)])
        response = _render_pair(request, form, 429)
        response["Retry-After"] = str(attempt.retry_after_minutes * 60)
        return response
    if not form.is_valid():
        pairing_limits.attempt_failed(attempt)
        return _render_pair(request, form, 400)
    try:
        _device, token = hall_devices.hall_device_pair(code=form.cleaned_data["code"], kind=KIND)
    except ValidationError as error:
        pairing_limits.attempt_failed(attempt)
        form.add_error("code", error)
        return _render_pair(request, form, 400)
    pairing_limits.attempt_succeeded(attempt)
    response = HttpResponseRedirect(reverse("kiosk:home"))
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


# --- the categories -------------------------------------------------------------------


def new_nonce(device: HallDevice) -> str:
    return signing.TimestampSigner(salt=NONCE_SALT).sign(f"{device.pk}:{secrets.token_urlsafe(12)}")


def nonce_valid(device: HallDevice, nonce: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=NONCE_SALT).unsign(nonce, max_age=NONCE_MAX_AGE)
    except signing.BadSignature:
        return False
    return value.split(":", 1)[0] == str(device.pk)


def _nonce_key(nonce: str) -> str:
    return f"kiosk:nonce:{hall_devices.hash_secret(nonce)}"


def _render_home(
    request: HttpRequest,
    device: HallDevice,
    *,
    error: str = "",
    check_in_form: CheckInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    hall = device.hall
    now = hall_localtime(hall)
    queues = [
        {
            "category": queue.category,
            "waiting": queue.waiting,
            "open_now": queue.category.opens_at <= now.time() < queue.category.closes_at,
        }
        for queue in waiting_counts(hall=hall)
    ]
    return render(
        request,
        "windows/kiosk/home.html",
        {
            "device": device,
            "hall": hall,
            "queues": queues,
            "nonce": new_nonce(device),
            "error": error,
            "check_in_form": check_in_form or CheckInForm(),
            "refresh_seconds": REFRESH_SECONDS,
            "kiosk_config": _config(),
        },
        status=status,
    )


def _config() -> dict:
    return {
        "homeUrl": reverse("kiosk:home"),
        "refreshSeconds": REFRESH_SECONDS,
        "returnAfterSeconds": RETURN_AFTER_SECONDS,
        "strings": {
            "returning": _("Back to the categories in %(seconds)s s"),
            "issuing": _("Issuing your ticket…"),
        },
    }


@never_cache
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The hall's active categories as big buttons: one tap, one ticket."""
    device = kiosk_from_request(request)
    if device is None:
        return HttpResponseRedirect(reverse("kiosk:pair"))
    return _render_home(request, device)


# --- issuing --------------------------------------------------------------------------


def _render_ticket(
    request: HttpRequest, device: HallDevice, visit: Visit, *, status: int = 200
) -> HttpResponse:
    position = ticket_position(visit)
    wait_minutes = (
        None
        if position.estimated_wait is None
        else math.ceil(position.estimated_wait.total_seconds() / 60)
    )
    return render(
        request,
        "windows/kiosk/ticket.html",
        {
            "device": device,
            "hall": device.hall,
            "visit": visit,
            "category": visit.category,
            "position": position,
            "wait_minutes": wait_minutes,
            "issued_local": hall_localtime(device.hall, visit.issued_at),
            "is_appointment": visit.lane == Visit.Lane.APPOINTMENT,
            "kiosk_config": _config(),
        },
        status=status,
    )


def _earlier_ticket(device: HallDevice, key: str) -> Visit | None:
    """The ticket a first post with the same nonce issued (waiting for it a moment)."""
    deadline = time.monotonic() + SAME_NONCE_WAIT_SECONDS
    while True:
        visit_id = cache.get(key)
        if visit_id:
            return (
                Visit.objects.select_related("category")
                .filter(pk=visit_id, hall_id=device.hall_id)
                .first()
            )
        if visit_id is None or time.monotonic() > deadline:
            return None  # the first post was refused (its claim given back), or is stuck
        time.sleep(0.1)


def _issue_once(
    request: HttpRequest, device: HallDevice, nonce: str, issue
) -> HttpResponse | ValidationError:
    """Run `issue()` (→ Visit) once per nonce; a repeat shows the first one's ticket.
    A refusal comes back as the ValidationError, the nonce free for another tap."""
    if not nonce_valid(device, nonce):
        return _render_home(
            request,
            device,
            error=_("This page was open too long. Please tap your choice again."),
            status=400,
        )
    key = _nonce_key(nonce)
    if (
        cache.get(key) is None
        and not slot_counter.hit(
            f"kiosk:issued:{device.pk}", limit=TICKETS_PER_MINUTE, window=60
        ).allowed
    ):
        return _render_home(
            request,
            device,
            error=_("This kiosk is issuing too many tickets. Please wait a minute."),
            status=429,
        )
    if not cache.add(key, 0, timeout=NONCE_MAX_AGE):
        earlier = _earlier_ticket(device, key)
        if earlier is not None:
            return _render_ticket(request, device, earlier)
        return HttpResponseRedirect(reverse("kiosk:home"))
    try:
        visit = issue()
    except ValidationError as error:
        cache.delete(key)
        return error
    cache.set(key, visit.pk, timeout=NONCE_MAX_AGE)
    return _render_ticket(request, device, visit)


@never_cache
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    """One tap on a category: its next ticket, shown big and ready to print."""
    device = kiosk_from_request(request)
    if device is None:
        return HttpResponseRedirect(reverse("kiosk:pair"))
    form = IssueForm(request.POST)
    if not form.is_valid():
        raise Http404
    category = get_object_or_404(
        QueueCategory.objects.select_related("hall"),
        pk=form.cleaned_data["category"],
        hall_id=device.hall_id,
    )
    outcome = _issue_once(
        request, device, form.cleaned_data["nonce"], lambda: ticket_issue(category=category)
    )
    if isinstance(outcome, ValidationError):
        return _render_home(request, device, error=" ".join(outcome.messages), status=400)
    return outcome


@never_cache
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    """An appointment's confirmation code: the citizen is checked in and gets a priority
    ticket for the slot (windows.booking.services.appointment_check_in)."""
    device = kiosk_from_request(request)
    if device is None:
        return HttpResponseRedirect(reverse("kiosk:pair"))
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _render_home(request, device, check_in_form=form, status=400)
    outcome = _issue_once(
        request,
        device,
        form.cleaned_data["nonce"],
        lambda: appointment_check_in(hall=device.hall, code=form.cleaned_data["code"]),
    )
    if isinstance(outcome, ValidationError):
        for message in outcome.messages:
            form.add_error("code", message)
        return _render_home(request, device, check_in_form=form, status=400)
    return outcome
