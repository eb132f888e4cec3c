"""The dashboard's waiting-and-satisfaction feed: `GET /api/v1/dashboard/waiting/?hall=CODE`
with optional `year`, `start`, `end`, `category` (a ticket prefix), `window` (a number) and
`staff` (a badge number), read by static/reports/waiting.js with the browser's session.

Scoped as every dashboard feed (evaluations.api.live): those who may see a hall's results,
about one of their halls (missing: 400, another's: 404, window staff: 403, anonymous: 403).
The hall is checked first, so another hall's code is a 404 whatever the other parameters.
The figures are evaluations.selectors.waiting_bands' as_json() as they are (the monthly
bulletin's sheet reads the same selector), plus the hall's categories, windows and staff
for the filters and the thresholds' explanations in the user's language.

The period: `start` and `end` (both or neither, ISO dates, at most MAX_DAYS days), else
the dashboard's `year` (January 1 to December 31, or to the hall's today for this year).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from evaluations.api.live import FEED_RESPONSES, HallFeedView, HallQuery, query_hall
from evaluations.selectors import waiting_bands as bands
from evaluations.selectors.waiting_bands import WaitingFilters, waiting_bands
from reports.api import BadYear, dashboard_year
from windows.api.query import window_number_field
from windows.models import Hall, QueueCategory, Staff, Window
from windows.rules.hall_time import hall_localdate
from windows.rules.rounding import percent_text

MAX_DAYS = 366


class WaitingQuery(HallQuery):
    year = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The dashboard's year (2000 to the hall's this year) when no start/end.",
    )
    start = serializers.DateField(required=False, help_text="First day, YYYY-MM-DD.")
    end = serializers.DateField(required=False, help_text="Last day, YYYY-MM-DD.")
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="A business category's prefix."
    )
    window = window_number_field(required=False, allow_null=True)
    staff = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="A staff member's badge."
    )

    def validate(self, data):
        hall: Hall = self.context["hall"]
        today = hall_localdate(hall)
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"end" if start else "start": [_("Give both the first and the last day.")]}
            )
        if start is None:
            try:
                year = dashboard_year(data.get("year", ""), today)
            except BadYear as error:
                raise serializers.ValidationError({"year": [str(error)]}) from None
            start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
        elif end < start:
            raise serializers.ValidationError(
                {"end": [_("The last day cannot be before the first day.")]}
            )
        elif (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"end": [_("The period can be at most %(days)d days.") % {"days": MAX_DAYS}]}
            )
        return {"start": start, "end": end, **self._choices(hall, data)}

    def _choices(self, hall: Hall, data: dict) -> dict:
        """The category, window and staff member named, each of this hall (400 if not)."""
        found = {}
        wanted = {
            "category": (
                QueueCategory,
                "prefix",
                _("No business category %(value)s in this hall."),
            ),
            "window": (Window, "number", _("No window %(value)s in this hall.")),
            "staff": (Staff, "badge_no", _("No staff member with badge %(value)s in this hall.")),
        }
        for name, (model, key, message) in wanted.items():
            value = data.get(name)
            if value in (None, ""):
                found[name] = None
                continue
            row = model.objects.filter(hall=hall, **{key: value}).first()
            if row is None:
                raise serializers.ValidationError({name: [message % {"value": value}]})
            found[name] = row
        return found


def threshold_text(threshold: bands.Threshold, kind: str) -> str:
    """The threshold in a sentence, in the user's language."""
    if threshold.reason == bands.FOUND:
        if kind == "wait":
            sentence = _(
                "Bad reviews rise clearly from %(minute)d minutes of waiting: %(share)s in "
                "the %(band)s band against %(base)s in the %(baseline)s band."
            )
        else:
            sentence = _(
                "Bad reviews rise clearly from %(minute)d minutes of service: %(share)s in "
                "the %(band)s band against %(base)s in the %(baseline)s band."
            )
        return sentence % {
            "minute": threshold.minute,
            "share": percent_text(threshold.band_bad_share_pct),
            "band": threshold.band,
            "base": percent_text(threshold.baseline_bad_share_pct),
            "baseline": threshold.baseline,
        }
    reasons = {
        bands.NO_BANDS: _("No band has %(min)d ratings or more: no threshold can be read."),
        bands.ONE_BAND: _("Only one band has %(min)d ratings or more: nothing to compare it with."),
        bands.NO_RISE: _(
            "No longer band has a bad-review share clearly above the shortest band's: no threshold."
        ),
        bands.NOT_SUSTAINED: _(
            "A longer band is clearly above the shortest band, but a later one falls back: "
            "no threshold."
        ),
    }
    return reasons[threshold.reason] % {"min": bands.MIN_BAND_RATINGS}


def _options(hall: Hall) -> dict:
    return {
        "categories": [
            {"key": row.prefix, "label": f"{row.prefix} {row.name}"}
            for row in QueueCategory.objects.filter(hall=hall).order_by("sort_order", "prefix")
        ],
        "windows": [
            {"key": str(row.number), "label": row.name or str(row.number)}
            for row in Window.objects.filter(hall=hall).order_by("number")
        ],
        "staff": [
            {"key": row.badge_no, "label": f"{row.display_name} ({row.badge_no})"}
            for row in Staff.objects.filter(hall=hall).order_by("badge_no")
        ],
    }


def waiting_filters(request, hall: Hall) -> WaitingFilters:
    query = WaitingQuery(data=request.GET, context={"hall": hall})
    query.is_valid(raise_exception=True)
    return WaitingFilters(hall=hall, **query.validated_data)


class WaitingBandsView(HallFeedView):
    """Satisfaction and bad-review share by waiting and service band, the minutes they
    rise from, and the windows' queue-or-service verdicts."""

    @extend_schema(
        parameters=[WaitingQuery],
        responses={200: OpenApiTypes.OBJECT, **FEED_RESPONSES},
        summary="The managers' dashboard: satisfaction against waiting and service time",
    )
    def get(self, request):
        hall = query_hall(request)
        report = waiting_bands(waiting_filters(request, hall))
        return Response(
            {
                **report.as_json(),
                "explanations": {
                    kind: threshold_text(getattr(report, kind).threshold, kind)
                    for kind in bands.KINDS
                },
                "options": _options(hall),
            }
        )
