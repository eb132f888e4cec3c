"""The badge photo the paired tablet shows: for a tablet of a window of the member's hall.

The tablet proves who it is by its device token (auth.device_from_request), never a login;
without a usable token, or for a staff member of another hall, the photo is a 404. The
photo has no public URL (windows/private_files.py).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from evaluations.tablet.auth import device_from_request
from windows.models import Staff
from windows.private_files import private_file_response


@require_safe
def badge_photo(request: HttpRequest, pk: int) -> HttpResponse:
    device = device_from_request(request)
    if device is None:
        raise Http404
    staff = get_object_or_404(Staff.objects.filter(hall_id=device.window.hall_id), pk=pk)
    return private_file_response(request, staff.photo)
