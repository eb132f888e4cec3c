"""The rectification progress page, the checklist workbook and a measure's evidence file,
for managers and supervisors.

The hall comes from the user's halls only: another hall's code or checklist is a 404.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from rectification.exports import checklist_filename, write_checklist_xlsx
from rectification.models import Measure, RectificationChecklist
from rectification.selectors import checklist_measures, hall_rectification, inspection_results
from rectification.services import may_manage_hall
from windows.exports import XLSX_CONTENT_TYPE
from windows.private_files import private_file_response
from windows.rules.hall_time import hall_localdate
from windows.scoping import hall_from_request, user_halls

VIEW_PERMISSIONS = ("rectification.view_rectificationchecklist", "rectification.view_inspection")
INSPECTION_DAYS = 366


def _require_viewer(request: HttpRequest) -> None:
    if not request.user.has_perms(VIEW_PERMISSIONS):
        raise PermissionDenied


@require_safe
@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """Each checklist's completion rate and overdue measures, and the year's inspections."""
    _require_viewer(request)
    halls = user_halls(request.user)
    hall = hall_from_request(request, halls)
    today = hall_localdate(hall)
    context = {"hall": hall, "halls": halls, "today": today}
    if hall is not None:
        checklists = hall_rectification(hall=hall, today=today)
        measures = checklist_measures(checklists=[row.checklist for row in checklists])
        context |= {
            "checklists": checklists,
            "sections": [(row, measures[row.checklist.pk]) for row in checklists],
            "may_manage": may_manage_hall(user=request.user, hall=hall),
            "inspections": list(
                reversed(
                    inspection_results(
                        hall=hall, start=today - timedelta(days=INSPECTION_DAYS), end=today
                    )
                )
            ),
        }
    return render(request, "rectification/progress.html", context)


@require_safe
@login_required
def export_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    checklist = get_object_or_404(
        RectificationChecklist.objects.for_user(request.user).select_related("hall"), pk=pk
    )
    buffer = BytesIO()
    write_checklist_xlsx(checklist, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{checklist_filename(checklist)}"'
    return response


@require_safe
@login_required
def measure_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's evidence file, for the managers and supervisors of its hall only."""
    _require_viewer(request)
    measure = get_object_or_404(Measure.objects.for_user(request.user), pk=pk)
    return private_file_response(request, measure.evidence_file)
