"""Acknowledging a surge alert from the home page or the staff console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import SurgeAlert
from .services import surge_alert_acknowledge


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """403 for anyone but the hall's duty leader of the day or its managers."""
    alert = get_object_or_404(SurgeAlert.objects.select_related("hall"), pk=pk)
    surge_alert_acknowledge(alert=alert, user=request.user)
    messages.success(request, _("Surge alert acknowledged."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)
