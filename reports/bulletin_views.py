"""The bulletins' pages: a hall's list, one bulletin as a page, its workbook, the resend button.

The workbook is served only by bulletin_download (windows/private_files.py): its stored
path is predictable, so MEDIA_ROOT has no public URL.

Managers and supervisors (the hall-results permissions) see the bulletins of their halls;
another hall's bulletin is a 404, never a 403 that confirms it exists; window staff get
403. Managers (those who may change their hall) also see the deliveries and may resend.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.results.views import may_view_hall_results
from windows.private_files import private_file_response
from windows.roles import is_hall_manager
from windows.scoping import hall_from_request, user_halls

from . import services
from .models import Bulletin, BulletinDelivery


def may_manage_bulletins(user, bulletin: Bulletin) -> bool:
    """A manager of the bulletin's hall sees its deliveries and may resend it."""
    return is_hall_manager(user, bulletin.hall_id)


def _visible_bulletin(request: HttpRequest, pk: int) -> Bulletin:
    if not may_view_hall_results(request.user):
        raise PermissionDenied
    bulletins = Bulletin.objects.for_user(request.user).select_related("hall")
    return get_object_or_404(bulletins, pk=pk)


@require_safe
@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    if not may_view_hall_results(request.user):
        raise PermissionDenied
    halls = user_halls(request.user)
    hall = hall_from_request(request, halls)
    bulletins = Bulletin.objects.none()
    kind = request.GET.get("kind", "")
    if hall is not None:
        bulletins = Bulletin.objects.for_hall(hall).order_by("-period_start", "kind")
        if kind in Bulletin.Kind.values:
            bulletins = bulletins.filter(kind=kind)
    context = {
        "halls": halls,
        "hall": hall,
        "kind": kind,
        "kinds": Bulletin.Kind.choices,
        "bulletins": bulletins[:200],
    }
    return render(request, "reports/bulletin_list.html", context)


@require_safe
@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _visible_bulletin(request, pk)
    manager = may_manage_bulletins(request.user, bulletin)
    deliveries = (
        bulletin.deliveries.order_by("email") if manager else BulletinDelivery.objects.none()
    )
    figures = bulletin.figures or {}
    chart_rows = [row for row in figures.get("windows", []) if row.get("items")]
    context = {
        "bulletin": bulletin,
        "figures": figures,
        "stats": figures.get("hall", {}),
        "manager": manager,
        "deliveries": deliveries,
        "chart": {
            "labels": [row.get("label", "") for row in chart_rows],
            "items": [row.get("items", 0) for row in chart_rows],
            "title": _("Items by window"),
        },
    }
    return render(request, "reports/bulletin_detail.html", context)


@require_safe
@login_required
def bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The workbook, for whoever sees the bulletin: never a public media URL."""
    bulletin = _visible_bulletin(request, pk)
    return private_file_response(request, bulletin.workbook, filename=bulletin.workbook_filename)


@require_POST
@login_required
def bulletin_resend(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _visible_bulletin(request, pk)
    services.bulletin_resend(bulletin=bulletin, by=request.user)
    messages.success(request, _("The bulletin is being sent to its recipients again."))
    return redirect("bulletins:detail", pk=bulletin.pk)
