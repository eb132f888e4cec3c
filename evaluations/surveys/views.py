"""The questionnaire pages: managers' weekly progress, and the tablet's questionnaire mode.

The tablet's page is reached by the paired tablet itself (its device cookie), never by a
staff login. A manager signed in may preview it for one of their halls; a preview is
checked like a real submission and stores nothing.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from evaluations.models import Measure
from evaluations.rectification.spawn import (
    MeasureSpawnForm,
    report_added,
    report_form_errors,
    report_refusal,
)
from evaluations.selectors.surveys import (
    active_questionnaire,
    recent_weeks,
    weekly_progress,
)
from evaluations.services.rectification import may_manage_hall, measure_from_questionnaire_week
from evaluations.services.surveys import questionnaire_response_submit
from evaluations.tablet.auth import device_from_request
from windows.models import Hall
from windows.rules.hall_time import hall_localdate, week_of
from windows.scoping import hall_from_request, user_halls

from .forms import QuestionnaireForm

TABLET_HOME = "/tablet/"
RESULTS_PERMISSION = "evaluations.view_questionnaireresponse"
PREVIEW_PERMISSION = "evaluations.view_questionnaire"
RECENT_WEEKS = 8


def _selected_week(request: HttpRequest, today: date) -> date:
    value = request.GET.get("week")
    if not value:
        return week_of(today)[0]
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Http404("Not a date.") from None
    if day > today:
        raise Http404("A week to come has no responses.")
    return week_of(day)[0]


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
    week = _selected_week(request, today)
    context = {
        "halls": list(halls),
        "hall": hall,
        "current": weekly_progress(hall=hall, week_start=today, today=today),
        "weeks": recent_weeks(hall=hall, weeks=RECENT_WEEKS, today=today),
        "selected": weekly_progress(hall=hall, week_start=week, today=today),
        "questionnaire": active_questionnaire(hall=hall),
    }
    if may_manage_hall(user=request.user, hall=hall):
        context |= {
            "spawn_form": MeasureSpawnForm(hall=hall, initial={"title": _week_measure_title(week)}),
            "spawn_action": _week_url("surveys:measure", hall, week),
            "spawned": Measure.objects.filter(checklist__hall=hall, questionnaire_week=week)
            .select_related("checklist")
            .order_by("pk"),
        }
    return render(request, "evaluations/surveys/overview.html", context)


def _week_url(name: str, hall: Hall, week: date) -> str:
    query = urlencode({"hall": hall.code, "week": week.isoformat()})
    return f"{reverse(name)}?{query}"


def _week_measure_title(week: date) -> str:
    return _("Improve on the questionnaire results of the week of %(week)s") % {
        "week": week.isoformat()
    }


@require_POST
@login_required
def week_measure(request: HttpRequest) -> HttpResponse:
    """A manager of the hall turns a week's questionnaire results (?hall=&week=) into a
    measure on one of the hall's checklists; the outcome comes back as a message."""
    if not request.user.has_perm(RESULTS_PERMISSION):
        raise PermissionDenied
    hall = hall_from_request(request, required=True)
    week = _selected_week(request, hall_localdate(hall))
    if not may_manage_hall(user=request.user, hall=hall):
        raise PermissionDenied
    form = MeasureSpawnForm(request.POST, hall=hall)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        try:
            measure = measure_from_questionnaire_week(
                hall=hall, week_start=week, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            report_refusal(request, error)
        else:
            report_added(request, measure)
    return redirect(_week_url("surveys:overview", hall, week))


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
