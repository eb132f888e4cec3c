"""A staff member's badge photo: for the member, and the managers and supervisors of the
member's hall (the tablet of a window of that hall has its own view, in evaluations).

The photo has no public URL (windows/private_files.py); another hall's staff member is a
404, never a 403 that confirms the member exists.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from windows.models import Staff
from windows.private_files import private_file_response

VIEW_STAFF = "windows.view_staff"


def staff_photo_for_user(user, pk: int) -> Staff:
    """The staff member whose photo the user may see: one's own, or one of the user's halls
    for whoever may view staff (managers, supervisors); 403 for anyone else."""
    own = Staff.objects.filter(pk=pk, user=user).first()
    if own is not None:
        return own
    if not user.has_perm(VIEW_STAFF):
        raise PermissionDenied
    return get_object_or_404(Staff.objects.for_user(user), pk=pk)


@require_safe
@login_required
def staff_photo(request: HttpRequest, pk: int) -> HttpResponse:
    staff = staff_photo_for_user(request.user, pk)
    return private_file_response(request, staff.photo)
