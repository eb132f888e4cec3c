"""The bulletins' pages: a hall's list, one bulletin as a page, its workbook, the resend button.

The workbook is served only by bulletin_download (windows/private_files.py): its stored
path is predictable, so MEDIA_ROOT has no public URL.

Managers and supervisors (the hall-results permissions) see the bulletins of their halls;
another hall's bulletin is a 404, never a 403 that confirms it exists; window staff get
403. Managers (those who may change their hall) also see the deliveries and may resend,
and build or rebuild the bulletin of any day, week or month from the list (bulletin_build,
the service of the build_bulletin command and of the beat: one bulletin per hall, kind and
period, its workbook replaced; emailed only when asked, and then only to the recipients who
have not received it).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.results.views import may_view_hall_results, queue_tables
from windows.private_files import private_file_response
from windows.roles import is_hall_manager
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls

from . import services
from .forms import BulletinBuildForm
from .models import Bulletin, BulletinDelivery
from .periods import period_of
from .tasks import build_and_send_bulletin, build_bulletin


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
    return _list_page(request, halls, hall, kind, bulletins)


def _list_page(request, halls, hall, kind, bulletins, *, build_form=None, status=200):
    manager = hall is not None and is_hall_manager(request.user, hall)
    if manager and build_form is None:
        build_form = BulletinBuildForm(initial={"kind": "daily", "date": hall_localdate(hall)})
    context = {
        "halls": halls,
        "hall": hall,
        "kind": kind,
        "kinds": Bulletin.Kind.choices,
        "bulletins": bulletins[:200],
        "build_form": build_form if manager else None,
    }
    return render(request, "reports/bulletin_list.html", context, status=status)


@require_POST
@login_required
def bulletin_build(request: HttpRequest) -> HttpResponse:
    """A manager of the hall (?hall=CODE) builds or rebuilds a bulletin; asked, emails it."""
    if not may_view_hall_results(request.user):
        raise PermissionDenied
    halls = user_halls(request.user)
    hall = hall_from_request(request, halls, required=True)
    if not is_hall_manager(request.user, hall):
        raise PermissionDenied
    form = BulletinBuildForm(request.POST)
    if not form.is_valid():
        bulletins = Bulletin.objects.for_hall(hall).order_by("-period_start", "kind")
        return _list_page(request, halls, hall, "", bulletins, build_form=form, status=400)
    kind, day, email = (form.cleaned_data[name] for name in ("kind", "date", "email"))
    period = period_of(kind=kind, day=day)
    back = redirect(f"{reverse('bulletins:list')}?hall={hall.code}")
    if not services.period_has_visits(hall=hall, start=period.start, end=period.end):
        messages.error(
            request,
            _("No visits at %(hall)s from %(start)s to %(end)s: no bulletin was built.")
            % {"hall": hall.name, "start": period.start, "end": period.end},
        )
        return back
    existed = Bulletin.objects.filter(hall=hall, kind=kind, period_start=period.start).exists()
    # A month of a busy hall takes seconds (4-5 s at the demo's scale): the worker builds it.
    task = build_and_send_bulletin if email else build_bulletin
    args = (hall.pk, kind, day.isoformat())
    transaction.on_commit(lambda: task.delay(*args))
    label = dict(Bulletin.Kind.choices)[kind]
    dates = {"kind": label, "start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}
    message = (
        _("The %(kind)s of %(start)s – %(end)s is being rebuilt; reload the list in a moment.")
        if existed
        else _("The %(kind)s of %(start)s – %(end)s is being built; reload the list in a moment.")
    )
    messages.success(request, message % dates)
    if email:
        messages.info(request, _("It will be emailed to the recipients who have not received it."))
    return back


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
    queue = figures.get("queue")  # bulletins built before the queue have none
    if queue:
        context |= {
            "queue": queue,
            "queue_tables": queue_tables(
                categories=queue["categories"], windows=queue["windows"], staff=queue["staff"]
            ),
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
