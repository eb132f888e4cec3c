"""The two posts that turn a case or a week's questionnaire results into a measure.

Their forms are on the case's page and on the questionnaire results (rectification/panels.py
puts them there); the outcome goes back to that page as a message. Only a manager of the
hall may post; a case or hall the user may not see is a 404, as on the pages themselves.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from complaints.selectors import complaints_for_user, may_view_hall_cases
from evaluations.surveys.query import RESULTS_PERMISSION, selected_week
from rectification.panels import week_query
from rectification.services import (
    may_manage_hall,
    measure_from_complaint,
    measure_from_questionnaire_week,
)
from rectification.spawn import MeasureSpawnForm, report_added, report_form_errors, report_refusal
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request


def _spawn(request: HttpRequest, form: MeasureSpawnForm, create) -> None:
    if not form.is_valid():
        report_form_errors(request, form)
        return
    try:
        measure = create(**form.cleaned_data)
    except ValidationError as error:
        report_refusal(request, error)
    else:
        report_added(request, measure)


@require_POST
@login_required
def measure_from_case(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager of the case's hall turns it into a measure on one of the hall's checklists."""
    cases = complaints_for_user(request.user)
    if not may_view_hall_cases(request.user) and not cases.exists():
        raise PermissionDenied  # as the case pages answer a user who handles no case
    complaint = get_object_or_404(cases.select_related("hall"), pk=pk)
    if not may_manage_hall(user=request.user, hall=complaint.hall):
        raise PermissionDenied
    form = MeasureSpawnForm(request.POST, hall=complaint.hall)
    _spawn(
        request,
        form,
        lambda **data: measure_from_complaint(complaint=complaint, by=request.user, **data),
    )
    return redirect("complaints:detail", pk=complaint.pk)


@require_POST
@login_required
def measure_from_week(request: HttpRequest) -> HttpResponse:
    """A manager of the hall turns a week's questionnaire results (?hall=&week=) into a
    measure on one of the hall's checklists."""
    if not request.user.has_perm(RESULTS_PERMISSION):
        raise PermissionDenied
    hall = hall_from_request(request, required=True)
    week = selected_week(request, hall_localdate(hall))
    if not may_manage_hall(user=request.user, hall=hall):
        raise PermissionDenied
    form = MeasureSpawnForm(request.POST, hall=hall)
    _spawn(
        request,
        form,
        lambda **data: measure_from_questionnaire_week(
            hall=hall, week_start=week, by=request.user, **data
        ),
    )
    return redirect(f"{reverse('surveys:overview')}?{week_query(hall, week)}")
