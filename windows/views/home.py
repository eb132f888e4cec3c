"""The staff home page: one's own badge card and roster, or a manager's halls."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from windows.hooks import home_panels
from windows.rules.hall_time import hall_localdate
from windows.selectors import staff_for_user, staff_home, visible_halls


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    staff = staff_for_user(user=request.user)
    today = hall_localdate(staff.hall if staff is not None else None)
    page = staff_home(user=request.user, today=today)
    if page is not None:
        panels = home_panels.collect(request=request, today=today)
        return render(request, "windows/home_staff.html", {"page": page, "panels": panels})
    return render(request, "windows/home_manager.html", {"halls": visible_halls(user=request.user)})
