"""Acknowledging a duty-leader alert from the home page or the staff console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.models import DutyAlert
from complaints.services.alerts import duty_alert_acknowledge


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(DutyAlert.objects.select_related("complaint__hall"), pk=pk)
    duty_alert_acknowledge(alert=alert, user=request.user)
    messages.success(
        request, _("Alert about case #%(number)s acknowledged.") % {"number": alert.complaint_id}
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)
