"""The dashboard's surge feed: `GET /api/v1/dashboard/surge/?hall=CODE`, read by
static/reports/surge.js with the browser's session.

Scoped as every dashboard feed (evaluations.api.live): those who may see a hall's results,
about one of their halls (missing or malformed: 400, another's: 404, window staff: 403,
anonymous: 403). The figures are reports.surge.services.surge_state's, the same the beat
job alerts on: today's cumulative curve, the history days' median curve, the projection
with its interval, the capacity and its levels, the categories and the suggestion, and
today's alerts.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from evaluations.api.live import FEED_RESPONSES, HallFeedView, HallQuery, query_hall
from windows.rules.hall_time import hall_localtime

from .models import SurgeAlert
from .predictor import LEVELS, SLOT_MINUTES
from .services import SurgeState, surge_state

# The chart's hours when the history does not say: 8:00 to 18:00.
FIRST_SLOT, LAST_SLOT = 32, 72


def slot_label(slot: int) -> str:
    minutes = slot * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(state: SurgeState) -> tuple[int, int]:
    """From the slot before the first arrivals of a typical day to the one where it ends."""
    typical = state.typical_curve
    if not typical or not typical[-1]:
        return FIRST_SLOT, LAST_SLOT
    first = next(i for i, value in enumerate(typical) if value)
    last = next(i for i, value in enumerate(typical) if value == typical[-1])
    return min(first, FIRST_SLOT), max(last + 2, min(state.slot, 95), LAST_SLOT)


def status_text(state: SurgeState) -> str:
    p = state.projection
    if p is None:
        return _("Not enough history on this weekday to project today (at least 4 days).")
    if p.early:
        return _("Too early to say: a typical day has had %(share)d%% of its items by now.") % {
            "share": round(p.share * 100)
        }
    if state.levels:
        return _("Even the projection's lower bound passes %(level)d%% of capacity.") % {
            "level": max(state.levels)
        }
    if p.high >= state.capacity > 0:
        return _("Capacity is within the projection's interval: watch the next hours.")
    return _("The projection stays below capacity.")


def surge_json(state: SurgeState) -> dict:
    first, last = _span(state)
    alerts = SurgeAlert.objects.filter(hall=state.hall, day=state.day).order_by("level")
    return {
        "hall": state.hall.code,
        "date": state.day.isoformat(),
        "time": hall_localtime(state.hall).strftime("%H:%M"),
        "basis": state.basis,
        "first_slot": first,
        "labels": [slot_label(slot + 1) for slot in range(first, last)],
        "curve": state.curve[first:],
        "typical": state.typical_curve[first:last],
        "history_days": state.history,
        "projection": state.projection.as_json() if state.projection else None,
        "capacity": round(state.capacity),
        "levels": [
            {"level": level, "items": round(state.capacity * level / 100)} for level in LEVELS
        ],
        "crossed": state.levels,
        "windows_open": state.windows_open,
        "windows_signed_in": state.windows_signed_in,
        "items_per_window_day": round(state.items_per_window_day, 1),
        "learnt": state.learnt,
        "threshold": state.threshold,
        "categories": [category.as_json() for category in state.categories],
        "suggestion": state.suggestion(),
        "status": status_text(state),
        "alerts": [
            {
                "level": alert.level,
                "time": hall_localtime(state.hall, alert.at).strftime("%H:%M"),
                "projected": alert.projected,
                "acknowledged": alert.acknowledged_at is not None,
            }
            for alert in alerts
        ],
    }


class SurgeView(HallFeedView):
    """Today's surge warning of a hall, as the beat job sees it now."""

    @extend_schema(parameters=[HallQuery], responses={200: OpenApiTypes.OBJECT, **FEED_RESPONSES})
    def get(self, request):
        hall = query_hall(request)
        return Response(surge_json(surge_state(hall=hall)))
