"""The tablet's pages: pairing with a one-time code, and the full-screen kiosk page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from evaluations.models import Rating
from evaluations.services.devices import PAIRING_CODE_DIGITS, tablet_pair
from evaluations.tablet import pairing_limits
from evaluations.tablet.auth import DEVICE_COOKIE, device_from_request

# The kiosk stays paired until a manager revokes it; the cookie just has to outlive it.
DEVICE_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
POLL_MS = 400  # a finished visit shows its five levels, a started one closes them, within 1 s
THANKS_MS = 3000
REASONS_IDLE_MS = 90_000  # a citizen who walks away from the reasons leaves no rating
TAP_GUARD_MS = 1500  # repeated taps within this interval are ignored
# The mouth of each level's face (SVG path): no emoji font needed on the tablet.
FACE_MOUTHS = {
    5: "M18 38 Q32 54 46 38",
    4: "M20 40 Q32 48 44 40",
    3: "M20 42 L44 42",
    2: "M20 46 Q32 38 44 46",
    1: "M18 48 Q32 34 46 48",
}


class PairingForm(forms.Form):
    code = forms.CharField(
        label=_("Pairing code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}
        ),
    )


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest) -> HttpResponse:
    """A manager's pairing code (typed in, or from the QR link) becomes the device cookie.

    Opening the link only fills in the code: the exchange happens on the POST. Failed
    attempts are limited per address (429 over the limit, evaluations/tablet/pairing_limits.py).
    """
    if request.method == "POST":
        form = PairingForm(request.POST)
        attempt = pairing_limits.attempt_begin(request)
        if not attempt.allowed:
            # Refused before the code is looked at, a right one too (pairing_limits).
            form.errors["code"] = form.error_class([pairing_limits.refusal_message(attempt)])
            response = render(
                request,
                "evaluations/tablet/pair.html",
                {"form": form, "digits": PAIRING_CODE_DIGITS},
                status=429,
            )
            response["Retry-After"] = str(attempt.retry_after_minutes * 60)
            return response
        if not form.is_valid():
            pairing_limits.attempt_failed(attempt)
        else:
            try:
                _device, token = tablet_pair(code=form.cleaned_data["code"])
            except ValidationError as error:
                pairing_limits.attempt_failed(attempt)
                form.add_error("code", error)
            else:
                pairing_limits.attempt_succeeded(attempt)
                response = HttpResponseRedirect(reverse("tablet:kiosk"))
                response.set_cookie(
                    DEVICE_COOKIE,
                    token,
                    max_age=DEVICE_COOKIE_MAX_AGE,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
        status = 400
    else:
        form = PairingForm(initial={"code": request.GET.get("code", "")[:20]})
        status = 200
    return render(
        request,
        "evaluations/tablet/pair.html",
        {"form": form, "digits": PAIRING_CODE_DIGITS},
        status=status,
    )


@require_safe
def kiosk(request: HttpRequest) -> HttpResponse:
    """The page the citizen sees; everything after loading it goes through the JSON API."""
    device = device_from_request(request)
    if device is None:
        return HttpResponseRedirect(reverse("tablet:pair"))
    levels = [
        {"value": value, "label": str(label), "mouth": FACE_MOUTHS[value]}
        for value, label in Rating.Level.choices
    ]
    reasons = [{"value": value, "label": str(label)} for value, label in Rating.Reason.choices]
    config = {
        "stateUrl": reverse("tablet-state"),
        "ratingsUrl": reverse("tablet-ratings"),
        "questionnaireUrl": reverse("surveys:fill"),
        "csrfToken": get_token(request),
        "goodFrom": Rating.GOOD_FROM,
        "pollMs": POLL_MS,
        "thanksMs": THANKS_MS,
        "reasonsIdleMs": REASONS_IDLE_MS,
        "tapGuardMs": TAP_GUARD_MS,
        "strings": {
            "needReason": gettext("Choose at least one reason."),
            "needComment": gettext("Describe the other reason in a few words."),
            "badPhone": gettext("Enter a phone number of 7 to 15 digits (may start with +86)."),
            "secondsLeft": gettext("%(seconds)s s left to rate"),
        },
    }
    return render(
        request,
        "evaluations/tablet/kiosk.html",
        {
            "device": device,
            "levels": levels,
            "reasons": reasons,
            "good_from": Rating.GOOD_FROM,
            "tablet_config": config,
        },
    )
