"""The hall's big screen (叫号显示屏): pairing with a one-time code, and the full-screen page.

The page is drawn from the state JSON it polls (evaluations/display/api.py); nothing on it
needs a logged-in user, only the screen's device cookie.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from evaluations.display.selectors import display_state, display_state_etag
from windows import pairing_limits
from windows.hall_devices import (
    COOKIES,
    PAIRING_CODE_DIGITS,
    hall_device_from_request,
    hall_device_pair,
)
from windows.models import HallDevice

KIND = HallDevice.Kind.DISPLAY
COOKIE = COOKIES[KIND]
# The screen stays paired until a manager revokes it; the cookie just has to outlive it.
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
POLL_MS = 500  # a call shows (and is announced) within a second
MAX_BACKOFF_MS = 8000  # the longest wait between retries while the network is down
OFFLINE_AFTER = 2  # failed polls in a row before the banner shows
PAGE_SECONDS = 8  # a ratings table longer than the screen turns its pages this often
MODES = ("normal", "large")


class PairingForm(forms.Form):
    code = forms.CharField(label=_("Pairing code"), max_length=20)


def _render_pair(request: HttpRequest, form: PairingForm, status: int) -> HttpResponse:
    return render(
        request,
        "evaluations/display/pair.html",
        {"form": form, "digits": PAIRING_CODE_DIGITS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest) -> HttpResponse:
    """A manager's pairing code for a big screen becomes the screen's device cookie.

    Failed attempts are limited per address on the counts the tablets' and the kiosks'
    codes fill too (windows/pairing_limits.py); over the limit every code is refused (429).
    """
    if request.method == "GET":
        return _render_pair(
            request, PairingForm(initial={"code": request.GET.get("code", "")[:20]}), 200
        )
    form = PairingForm(request.POST)
    attempt = pairing_limits.attempt_begin(request)
    if not attempt.allowed:
        form.errors["code"] = form.error_class([pairing_limits.refusal_message(attempt)])
        response = _render_pair(request, form, 429)
        response["Retry-After"] = str(attempt.retry_after_minutes * 60)
        return response
    if form.is_valid():
        try:
            _device, token = hall_device_pair(code=form.cleaned_data["code"], kind=KIND)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            pairing_limits.attempt_succeeded(attempt)
            response = HttpResponseRedirect(reverse("display:screen"))
            response.set_cookie(
                COOKIE,
                token,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    pairing_limits.attempt_failed(attempt)
    return _render_pair(request, form, 400)


@require_safe
def screen(request: HttpRequest) -> HttpResponse:
    """The full-screen page (1920x1080); ?mode=large for large, high-contrast text."""
    device = hall_device_from_request(request, kind=KIND)
    if device is None:
        return HttpResponseRedirect(reverse("display:pair"))
    mode = request.GET.get("mode", "")
    now = timezone.now()
    config = {
        "state": display_state(hall=device.hall, now=now),
        "etag": display_state_etag(hall_id=device.hall_id, now=now),
        "stateUrl": reverse("display:state"),
        "pairUrl": reverse("display:pair"),
        "pollMs": POLL_MS,
        "maxBackoffMs": MAX_BACKOFF_MS,
        "offlineAfter": OFFLINE_AFTER,
        "pageSeconds": PAGE_SECONDS,
        "mode": mode if mode in MODES else "",
        "timeZone": str(device.hall.time_zone),
        "language": request.LANGUAGE_CODE,
        "strings": {
            "window": gettext("Window %(number)s"),
            "recall": gettext("Recall"),
            "noCalls": gettext("Please wait for your number to be called."),
            "people": gettext("%(count)s waiting"),
            "page": gettext("Page %(page)s of %(pages)s"),
        },
    }
    return render(
        request,
        "evaluations/display/screen.html",
        {"device": device, "hall": device.hall, "display_config": config},
    )
