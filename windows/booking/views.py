"""The public booking pages (no login): book a slot, see the code, cancel with code + phone.

Thin views: the rules live in services.py, the reads in selectors.py, the limits per
client address in limits.py. A refusal stores nothing; answers never tell whether a code
or a phone exists; phones are shown masked.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from windows.booking import limits, selectors, services
from windows.booking.forms import BookingForm, CancelForm
from windows.models import Appointment, AppointmentSlot, Hall
from windows.roles import mask_phone
from windows.rules.hall_time import hall_localdate

DONE_SESSION_KEY = "booking_done"


def _hall(code: str) -> Hall:
    return get_object_or_404(Hall, code=code, is_active=True)


def _pick(value, options, default=None):
    """The option whose primary key is the value (from a query or a form), else the default."""
    return next((option for option in options if str(option.pk) == str(value)), default)


@require_http_methods(["GET"])
def hall_list(request: HttpRequest) -> HttpResponse:
    halls = list(selectors.booking_halls())
    if len(halls) == 1:
        return redirect("booking:book", hall_code=halls[0].code)
    return render(request, "windows/booking/halls.html", {"halls": halls})


def _challenge(request: HttpRequest, form, required: bool) -> str | None:
    """Add the challenge field (a new sum) to the form when the address needs one."""
    if not required:
        return None
    question = limits.challenge_question(request)
    form.add_challenge(question)
    return question


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _hall(hall_code)
    now = timezone.now()
    categories = selectors.bookable_categories(hall)
    category_list = list(categories)
    days = selectors.bookable_days(hall=hall, now=now)
    source = request.POST if request.method == "POST" else request.GET
    category = _pick(source.get("category"), category_list, next(iter(category_list), None))
    day = {d.isoformat(): d for d in days}.get(source.get("day"), next(iter(days), None))
    slots = AppointmentSlot.objects.filter(category=category)
    form_args = {"categories": categories, "days": days, "slots": slots}
    status = 200
    required = limits.challenge_required(request)

    if request.method == "POST":
        attempt = limits.attempt_begin(request, limits.BOOK)
        form = BookingForm(request.POST, **form_args)
        if not attempt.allowed:
            form = BookingForm(**form_args)
            form.refusal = limits.refusal_message(attempt)
            status = 429
        else:
            if required:
                form.add_challenge("")
            if form.is_valid():
                appointment = _book(request, hall, form, required, now)
                if appointment is not None:
                    request.session[DONE_SESSION_KEY] = appointment.pk
                    return redirect("booking:done", hall_code=hall.code)
            required = required or limits.challenge_required(request)
    else:
        form = BookingForm(**form_args)

    question = _challenge(request, form, required and status != 429)
    context = {
        "hall": hall,
        "categories": category_list,
        "category": category,
        "days": days,
        "day": day,
        "today": hall_localdate(hall, now),
        "form": form,
        "question": question,
        "refusal": getattr(form, "refusal", None),
    }
    if category is not None and day is not None:
        quiet = selectors.quiet_hours(hall=hall, category=category, now=now)
        quiet_set = {load.hour for load in quiet.hours if load.quiet}
        context["quiet"] = quiet
        context["choices"] = [
            (choice, choice.slot.starts_at.hour in quiet_set)
            for choice in selectors.slot_choices(category=category, day=day, now=now)
        ]
    return render(request, "windows/booking/book.html", context, status=status)


def _book(request: HttpRequest, hall: Hall, form: BookingForm, required: bool, now):
    """The booking, or None with the reason added to the form."""
    if required and not limits.challenge_passed(request, form.cleaned_data.get("challenge")):
        form.add_error("challenge", _("The answer is not right; answer the new question."))
        return None
    data = form.cleaned_data
    try:
        return services.appointment_book(
            hall=hall,
            category=data["category"],
            slot=data["slot"],
            day=data["day"],
            name=data["name"].strip(),
            phone=data["phone"],
            id_last4=data["id_last4"],
            now=now,
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


@require_http_methods(["GET"])
def done(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _hall(hall_code)
    appointment = (
        Appointment.objects.select_related("category", "slot")
        .filter(hall=hall, pk=request.session.get(DONE_SESSION_KEY) or 0)
        .first()
    )
    if appointment is None:
        return redirect("booking:book", hall_code=hall.code)
    return render(
        request,
        "windows/booking/done.html",
        {
            "hall": hall,
            "appointment": appointment,
            "phone": mask_phone(appointment.phone),
        },
    )


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _hall(hall_code)
    required = limits.challenge_required(request)
    status = 200
    refusal = None
    cancelled = None
    if request.method == "POST":
        attempt = limits.attempt_begin(request, limits.CANCEL)
        form = CancelForm(request.POST)
        if not attempt.allowed:
            form, refusal, status = CancelForm(), limits.refusal_message(attempt), 429
        else:
            if required:
                form.add_challenge("")
            if form.is_valid():
                cancelled = _cancel(request, hall, form, required)
            required = required or limits.challenge_required(request)
    else:
        form = CancelForm()
    if cancelled is not None:
        return render(
            request,
            "windows/booking/cancelled.html",
            {
                "hall": hall,
                "appointment": cancelled,
                "phone": mask_phone(cancelled.phone),
            },
        )
    question = _challenge(request, form, required and status != 429)
    return render(
        request,
        "windows/booking/cancel.html",
        {"hall": hall, "form": form, "question": question, "refusal": refusal},
        status=status,
    )


def _cancel(request: HttpRequest, hall: Hall, form: CancelForm, required: bool):
    if required and not limits.challenge_passed(request, form.cleaned_data.get("challenge")):
        form.add_error("challenge", _("The answer is not right; answer the new question."))
        return None
    try:
        return services.appointment_cancel(
            hall=hall, code=form.cleaned_data["code"], phone=form.cleaned_data["phone"]
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
