"""A new rectification checklist on /rectification/ (a manager of the hall), where its
measures are then added (measure_views.measure_new).

The hall is the page's `?hall=` among the user's halls (another hall's code is a 404);
supervisors and window staff are refused (403); a refused or malformed post re-shows the
form with its message and stores nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rectification.forms import ChecklistForm
from rectification.services import checklist_create, may_manage_hall
from rectification.views import VIEW_PERMISSIONS
from windows.scoping import hall_from_request


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def checklist_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perms(VIEW_PERMISSIONS):
        raise PermissionDenied
    hall = hall_from_request(request)
    if hall is None or not may_manage_hall(user=request.user, hall=hall):
        raise PermissionDenied
    progress_url = f"{reverse('rectification:progress')}?hall={hall.code}"
    status = 200
    if request.method == "POST":
        form = ChecklistForm(request.POST)
        if form.is_valid():
            try:
                checklist = checklist_create(hall=hall, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Checklist “%(title)s” created: add its measures.")
                    % {"title": checklist.title},
                )
                return redirect(f"{progress_url}#checklist-{checklist.pk}")
        status = 400
    else:
        form = ChecklistForm()
    context = {"hall": hall, "form": form, "back": progress_url}
    return render(request, "rectification/checklist_new.html", context, status=status)
