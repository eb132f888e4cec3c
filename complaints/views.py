"""The complaint pages: the case list, intake, a case with its timeline and next actions,
and the manager dashboard.

Who sees what: managers and supervisors read every case of the halls granted to them (a
hall or case of another hall is a 404); a user who handles cases (a window staff member
assigned one) reads only those; anyone else gets a 403. Acting on a case is for users who
may change complaints of its hall, or for its handler; the workflow services decide which
step is allowed and say why not (ComplaintError, shown as the form's error).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from complaints.hooks import case_panels, dashboard_tiles
from complaints.models import Complaint
from complaints.selectors import (
    ACT_PERMISSION,
    INTAKE_PERMISSION,
    complaint_dashboard,
    complaint_list,
    complaint_timeline,
    complaints_for_user,
    may_view_hall_cases,
)
from complaints.services import complaints as services
from evaluations.selectors.results import reason_labels
from windows.models import Hall
from windows.private_files import private_file_response
from windows.roles import is_hall_manager, phone_shower, shown_phone
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls

from . import forms

CASES_PER_PAGE = 50


@require_safe
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    hall = None
    halls = Hall.objects.none()
    if may_view_hall_cases(user):
        halls = user_halls(user)
        hall = hall_from_request(request, halls)
        cases = complaints_for_user(user).for_hall(hall) if hall else Complaint.objects.none()
    else:
        cases = complaints_for_user(user)
        if not cases.exists():
            raise PermissionDenied
    # A handler's own cases (no hall chosen) are read on the installation's day.
    today = hall_localdate(hall)
    form = forms.CaseFilterForm(request.GET, hall=hall)
    context = {
        "hall": hall,
        "halls": halls,
        "form": form,
        "today": today,
        "may_add": hall is not None and user.has_perm(INTAKE_PERMISSION),
        "no_halls": may_view_hall_cases(user) and hall is None,
    }
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        rows = complaint_list(cases=cases, today=today, hall=hall, **filters)
        page = Paginator(rows, CASES_PER_PAGE).get_page(request.GET.get("page"))
        shown = phone_shower(user)
        query = request.GET.copy()
        query.pop("page", None)
        context |= {
            "page": page,
            "rows": [(case, shown(case)) for case in page],
            "query": query.urlencode(),
        }
    return render(request, "complaints/list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(INTAKE_PERMISSION):
        raise PermissionDenied
    halls = user_halls(request.user)
    hall = hall_from_request(request, halls)
    if hall is None:
        raise PermissionDenied
    form = forms.IntakeForm(request.POST or None, request.FILES or None, hall=hall)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            complaint = services.complaint_receive(hall=hall, by=request.user, **data)
        except services.ComplaintError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Case #%(pk)s received.") % {"pk": complaint.pk})
            return redirect("complaints:detail", pk=complaint.pk)
    return render(
        request,
        "complaints/new.html",
        {"form": form, "hall": hall, "halls": halls},
        status=400 if form.errors else 200,
    )


def _add_errors(form, error) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _case_for(request: HttpRequest, pk: int) -> Complaint:
    cases = complaints_for_user(request.user)
    if not may_view_hall_cases(request.user) and not cases.exists():
        raise PermissionDenied
    return get_object_or_404(
        cases.select_related(
            "hall", "window", "staff", "service_item", "handler", "rating", "rating__visit"
        ),
        pk=pk,
    )


def _may_act(user, complaint: Complaint) -> bool:
    """Who may send the case's forms at all; the services decide which step is allowed."""
    if complaint.handler_id is not None and complaint.handler_id == user.pk:
        return True
    return user.has_perm(ACT_PERMISSION) and is_hall_manager(user, complaint.hall_id)


def _verify(complaint, user, data):
    services.complaint_verify(complaint=complaint, by=user, **data)


def _assign(complaint, user, data):
    services.complaint_assign(complaint=complaint, by=user, handler=data["handler"])


def _start(complaint, user, data):
    services.complaint_start(complaint=complaint, by=user)


def _reply(complaint, user, data):
    services.complaint_reply(complaint=complaint, by=user, reply=data["reply"])


def _callback(complaint, user, data):
    services.complaint_record_callback(
        complaint=complaint, by=user, result=data["result"], note=data["note"]
    )


def _close(complaint, user, data):
    services.complaint_close(
        complaint=complaint, by=user, verdict=data["verdict"], note=data["note"]
    )


def _request_extension(complaint, user, data):
    services.extension_request(
        complaint=complaint, by=user, working_days=data["working_days"], reason=data["reason"]
    )


def _decide_extension(complaint, user, data):
    extension = get_object_or_404(complaint.extensions, pk=data["extension"])
    services.extension_decide(extension=extension, by=user, approve=data["decision"] == "approve")


def _erase(complaint, user, data):
    services.complaint_erase_personal_data(complaint=complaint, by=user)


ACTIONS: dict[str, tuple[type, Callable]] = {
    "verify": (forms.VerifyForm, _verify),
    "assign": (forms.AssignForm, _assign),
    "start": (forms.StartForm, _start),
    "reply": (forms.ReplyForm, _reply),
    "callback": (forms.CallbackForm, _callback),
    "close": (forms.CloseForm, _close),
    "request_extension": (forms.ExtensionRequestForm, _request_extension),
    "decide_extension": (forms.ExtensionDecideForm, _decide_extension),
    "erase": (forms.EraseForm, _erase),
}
ACTION_TITLES = {
    "verify": gettext_lazy("Verify"),
    "assign": gettext_lazy("Assign"),
    "start": gettext_lazy("Start handling"),
    "reply": gettext_lazy("Reply"),
    "callback": gettext_lazy("Record the callback"),
    "close": gettext_lazy("Close"),
    "request_extension": gettext_lazy("Request an extension"),
    "decide_extension": gettext_lazy("Decide the extension"),
    "erase": gettext_lazy("Erase personal data"),
}
ACTION_DONE = {
    "verify": gettext_lazy("The case is verified."),
    "assign": gettext_lazy("The case is assigned."),
    "start": gettext_lazy("Handling has started."),
    "reply": gettext_lazy("The reply is recorded."),
    "callback": gettext_lazy("The callback is recorded."),
    "close": gettext_lazy("The case is closed."),
    "request_extension": gettext_lazy("The extension is requested."),
    "decide_extension": gettext_lazy("The extension is decided."),
    "erase": gettext_lazy("The personal data is erased."),
}


def _action_form(name: str, complaint: Complaint, data=None):
    form_class = ACTIONS[name][0]
    kwargs = {"prefix": name}
    if form_class in (forms.VerifyForm, forms.AssignForm):
        kwargs["complaint"] = complaint
    return form_class(data, **kwargs)


def _detail(
    request: HttpRequest, complaint: Complaint, *, failed: tuple[str, object] | None = None
) -> HttpResponse:
    user = request.user
    allowed = services.complaint_allowed_actions(complaint=complaint, user=user)
    if not _may_act(user, complaint):
        allowed = []
    action_forms = []
    for name in ACTIONS:
        if name not in allowed and (failed is None or failed[0] != name):
            continue
        form = failed[1] if failed and failed[0] == name else _action_form(name, complaint)
        action_forms.append({"name": name, "title": str(ACTION_TITLES[name]), "form": form})
    labels = reason_labels(complaint.rating) if complaint.rating else []
    context = {
        "case": complaint,
        "phone": shown_phone(user, complaint),
        "timeline": complaint_timeline(complaint),
        "extensions": complaint.extensions.select_related(
            "requested_by__staff_profile", "decided_by__staff_profile"
        ),
        "pending_extensions": complaint.extensions.filter(status="pending"),
        "action_forms": action_forms,
        "today": hall_localdate(complaint.hall),
        "reason_labels": labels,
        "panels": case_panels.collect(request=request, complaint=complaint, reason_labels=labels),
    }
    return render(
        request,
        "complaints/detail.html",
        context,
        status=400 if failed else 200,
    )


@require_safe
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case_for(request, pk))


@require_safe
@login_required
def case_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's attachment, for whoever may open the case (its hall's managers and
    supervisors, its handler); the file has no public URL."""
    complaint = _case_for(request, pk)
    return private_file_response(request, complaint.attachment)


@require_POST
@login_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    complaint = _case_for(request, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    if not _may_act(request.user, complaint):
        raise PermissionDenied
    form = _action_form(action, complaint, request.POST)
    if form.is_valid():
        try:
            ACTIONS[action][1](complaint, request.user, form.cleaned_data)
        except services.ComplaintError as error:
            _add_errors(form, error)
        else:
            messages.success(request, ACTION_DONE[action])
            return redirect("complaints:detail", pk=complaint.pk)
    complaint.refresh_from_db()
    return _detail(request, complaint, failed=(action, form))


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not may_view_hall_cases(request.user):
        raise PermissionDenied
    halls = user_halls(request.user)
    hall = hall_from_request(request, halls)
    today = hall_localdate(hall)
    context = {"hall": hall, "halls": halls, "today": today}
    if hall is not None:
        context["figures"] = complaint_dashboard(hall=hall, today=today)
        context["tiles"] = dashboard_tiles.collect(hall=hall, today=today)
    return render(request, "complaints/dashboard.html", context)
