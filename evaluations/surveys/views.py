"""The questionnaire pages: managers' weekly progress, and the tablet's questionnaire mode.

The tablet's page is reached by the paired tablet itself (its device cookie), never by a
staff login. A manager signed in may preview it for one of their halls; a preview is
checked like a real submission and stores nothing.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from evaluations.hooks import week_panels
from evaluations.selectors.surveys import (
    active_questionnaire,
    recent_weeks,
    weekly_progress,
)
from evaluations.services.surveys import questionnaire_response_submit
from evaluations.tablet.auth import device_from_request
from windows.models import Hall
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls

from .forms import QuestionnaireForm
from .query import RESULTS_PERMISSION, selected_week

TABLET_HOME = "/tablet/"
PREVIEW_PERMISSION = "evaluations.view_questionnaire"
RECENT_WEEKS = 8


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(RESULTS_PERMISSION):
        raise PermissionDenied
    halls = user_halls(request.user)
    if not halls:
        return render(request, "evaluations/surveys/overview.html", {"halls": []})
    hall = hall_from_request(request, halls)
    today = hall_localdate(hall)
    week = selected_week(request, today)
    context = {
        "halls": list(halls),
        "hall": hall,
        "current": weekly_progress(hall=hall, week_start=today, today=today),
        "weeks": recent_weeks(hall=hall, weeks=RECENT_WEEKS, today=today),
        "selected": weekly_progress(hall=hall, week_start=week, today=today),
        "questionnaire": active_questionnaire(hall=hall),
    }
    context["panels"] = week_panels.collect(request=request, hall=hall, week=week)
    return render(request, "evaluations/surveys/overview.html", context)


def _preview_hall(request: HttpRequest) -> Hall | None:
    """The hall a signed-in manager previews the questionnaire of, or None if none may be."""
    user = request.user
    if not user.is_authenticated or not user.has_perm(PREVIEW_PERMISSION):
        return None
    halls = user_halls(user)
    code = request.GET.get("hall")
    if code:
        return get_object_or_404(halls, code=code)
    return halls.first() if halls.count() == 1 else None


def not_paired(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluations/surveys/not_paired.html", status=401)


@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest) -> HttpResponse:
    device = device_from_request(request)
    hall = device.window.hall if device is not None else _preview_hall(request)
    if hall is None:
        return not_paired(request)
    preview = device is None
    questionnaire = active_questionnaire(hall=hall)
    context = {"hall": hall, "device": device, "preview": preview, "tablet_home": TABLET_HOME}
    if questionnaire is None:
        return render(request, "evaluations/surveys/fill.html", context)

    if request.method == "POST":
        form = QuestionnaireForm(request.POST, questionnaire=questionnaire)
        if form.is_valid():
            try:
                with transaction.atomic():
                    questionnaire_response_submit(
                        questionnaire=questionnaire,
                        answers=form.answers(),
                        device=device,
                        client_id=form.cleaned_data["client_id"],
                    )
                    if preview:
                        transaction.set_rollback(True)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if preview:
                    return render(request, "evaluations/surveys/thanks.html", context)
                return redirect("surveys:thanks")
    else:
        form = QuestionnaireForm(questionnaire=questionnaire, initial={"client_id": uuid.uuid4()})
    context.update(questionnaire=questionnaire, form=form)
    return render(request, "evaluations/surveys/fill.html", context)


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    device = device_from_request(request)
    if device is None:
        return not_paired(request)
    context = {"hall": device.window.hall, "device": device, "tablet_home": TABLET_HOME}
    return render(request, "evaluations/surveys/thanks.html", context)
