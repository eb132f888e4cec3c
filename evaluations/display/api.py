"""The big screen's state, polled every 0.5 s with the ETag it has (304 while unchanged).

Only a paired, unrevoked screen of kind "display" gets in (its cookie `hall_display`, or
an `Authorization: Device <token>` header): a kiosk's or a tablet's token, or a staff
member's session, is not a big screen and gets 401. The state is its own hall's alone.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from evaluations.display.selectors import display_state, display_state_etag
from windows.hall_devices import hall_device_required
from windows.models import HallDevice


@require_safe
@hall_device_required(HallDevice.Kind.DISPLAY)
def state(request: HttpRequest) -> HttpResponse:
    device: HallDevice = request.hall_device
    now = timezone.now()
    etag = display_state_etag(hall_id=device.hall_id, now=now)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(display_state(hall=device.hall, now=now))
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
