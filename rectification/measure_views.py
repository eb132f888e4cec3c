"""A measure's pages on /rectification/: add one to a checklist, see one, change its plan
(a manager of the hall) or its progress (a manager, or the responsible person).

Who may do what: managers and supervisors of the hall see a measure (another hall's is a
404); only a manager of the hall adds one or changes its plan, a supervisor reads; the
responsible person (window staff too) sees their own measure and updates its progress;
anyone else is refused (403). The services (rectification/services.py) decide the rest;
a refused or malformed post re-shows the form with its errors and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rectification.forms import MeasurePlanForm, MeasureProgressForm
from rectification.models import Measure, RectificationChecklist
from rectification.selectors import days_overdue
from rectification.services import (
    may_manage_hall,
    measure_create,
    measure_plan_update,
    measure_update,
)
from rectification.views import VIEW_PERMISSIONS
from windows.rules.hall_time import hall_localdate


def _is_viewer(request: HttpRequest) -> bool:
    return request.user.has_perms(VIEW_PERMISSIONS)


def _measure(request: HttpRequest, pk: int) -> Measure:
    """The measure if the user may see it: a viewer of its hall, or its responsible person."""
    measures = Measure.objects.select_related(
        "checklist__hall",
        "responsible_department",
        "responsible_person__staff_profile",
        "verified_by__staff_profile",
        "complaint",
    )
    if _is_viewer(request):
        own = measures.filter(responsible_person=request.user)
        found = (measures.for_user(request.user) | own).filter(pk=pk).first()
        if found is None:
            raise Http404
        return found
    found = measures.filter(pk=pk, responsible_person=request.user).first()
    if found is None:
        raise PermissionDenied  # a role that never sees measures, or not theirs
    return found


def _page(
    request: HttpRequest,
    measure: Measure,
    *,
    plan_form: MeasurePlanForm | None = None,
    progress_form: MeasureProgressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    hall = measure.checklist.hall
    manager = may_manage_hall(user=request.user, hall=hall)
    closed = measure.status == Measure.Status.VERIFIED
    may_plan = manager and not closed
    may_progress = not closed and (manager or measure.responsible_person_id == request.user.pk)
    if may_plan and plan_form is None:
        plan_form = MeasurePlanForm(hall=hall, initial=MeasurePlanForm.initial_of(measure))
    if may_progress and progress_form is None:
        progress_form = MeasureProgressForm(
            measure=measure, user=request.user, initial=MeasureProgressForm.initial_of(measure)
        )
    refused = [
        error
        for form, shown in ((plan_form, may_plan), (progress_form, may_progress))
        if form is not None and form.is_bound and not shown
        for error in form.non_field_errors()
    ]
    today = hall_localdate(hall)
    context = {
        "refused": refused,
        "measure": measure,
        "hall": hall,
        "checklist": measure.checklist,
        "days_overdue": days_overdue(measure=measure, today=today),
        "plan_form": plan_form if may_plan else None,
        "progress_form": progress_form if may_progress else None,
        "back": _progress_url(hall) if _is_viewer(request) else None,
    }
    return render(request, "rectification/measure.html", context, status=status)


def _progress_url(hall) -> str:
    return f"{reverse('rectification:progress')}?hall={hall.code}"


@require_safe
@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _measure(request, pk))


@require_POST
@login_required
def measure_plan(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    hall = measure.checklist.hall
    if not may_manage_hall(user=request.user, hall=hall):
        raise PermissionDenied
    form = MeasurePlanForm(request.POST, hall=hall)
    if form.is_valid():
        try:
            measure_plan_update(measure=measure, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The measure’s plan was saved."))
            return redirect("rectification:measure", pk=measure.pk)
    return _page(request, measure, plan_form=form, status=400)


@require_POST
@login_required
def measure_progress(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    manager = may_manage_hall(user=request.user, hall=measure.checklist.hall)
    if not manager and measure.responsible_person_id != request.user.pk:
        raise PermissionDenied
    form = MeasureProgressForm(request.POST, request.FILES, measure=measure, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            measure_update(
                measure=measure,
                by=request.user,
                status=data["status"],
                progress_pct=data["progress_pct"],
                evidence_notes=data["evidence_notes"],
                evidence_file=data["evidence_file"] or None,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The measure’s progress was saved."))
            return redirect("rectification:measure", pk=measure.pk)
    return _page(request, measure, progress_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def measure_new(request: HttpRequest, checklist_pk: int) -> HttpResponse:
    """A manager of the checklist's hall adds a measure at the end of the checklist."""
    if not _is_viewer(request):
        raise PermissionDenied
    checklist = get_object_or_404(
        RectificationChecklist.objects.for_user(request.user).select_related("hall"),
        pk=checklist_pk,
    )
    hall = checklist.hall
    if not may_manage_hall(user=request.user, hall=hall):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = MeasurePlanForm(request.POST, hall=hall)
        if form.is_valid():
            try:
                measure = measure_create(checklist=checklist, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Measure “%(title)s” added to the checklist “%(checklist)s”.")
                    % {"title": measure.title, "checklist": checklist.title},
                )
                return redirect("rectification:measure", pk=measure.pk)
        status = 400
    else:
        form = MeasurePlanForm(hall=hall)
    context = {"checklist": checklist, "hall": hall, "form": form, "back": _progress_url(hall)}
    return render(request, "rectification/measure_new.html", context, status=status)
