"""The hall results page's live block over the API, and what the pages' JSON feeds share.

The results page (static/evaluations/results.js) polls `GET /api/v1/results/live/?hall=CODE`
every 10 seconds with the browser's session; the managers' dashboard's feeds (reports/api.py)
are built the same way. A feed is for those who may see a hall's results (window staff and
tablets get 403) and names one of the caller's halls: a missing or blank code is a 400
naming `hall`, another hall's code a 404, never a 403 that would confirm the hall exists.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.results.views import may_view_hall_results
from evaluations.selectors.live import live_figures
from windows.api.query import FIELD_ERRORS_SCHEMA, hall_code_field, query_values
from windows.models import Hall
from windows.scoping import user_halls

DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# The refusals every feed documents beside its 200.
FEED_RESPONSES = {
    400: OpenApiResponse(FIELD_ERRORS_SCHEMA, description="A malformed or missing parameter."),
    403: OpenApiResponse(
        DETAIL_SCHEMA, description="Not logged in, or no permission to see a hall's results."
    ),
    404: OpenApiResponse(DETAIL_SCHEMA, description="Not one of the caller's halls."),
}


class HallResultsPermission(permissions.BasePermission):
    """A hall's results: managers and supervisors (window staff and tablets have no right)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and may_view_hall_results(
            request.user
        )


class HallQuery(serializers.Serializer):
    hall = hall_code_field(help_text="The code of one of the caller's halls.")


def query_hall(request: Request) -> Hall:
    """The feed's hall: a 400 if `hall` is malformed or missing, a 404 if not the caller's."""
    code = query_values(HallQuery, request)["hall"]
    return get_object_or_404(user_halls(request.user), code=code)


class HallFeedView(APIView):
    """A page's JSON feed: read with the session (or an API token), never cached."""

    permission_classes = [HallResultsPermission]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


class LiveFiguresSerializer(serializers.Serializer):
    visits = serializers.IntegerField(help_text="Completed visits.")
    items = serializers.IntegerField(help_text="Items of the completed visits.")
    rated = serializers.IntegerField()
    good = serializers.IntegerField()
    bad = serializers.IntegerField()
    excluded = serializers.IntegerField(help_text="Rated, neither good nor bad.")
    evaluation_rate_pct = serializers.FloatField(allow_null=True)
    satisfaction_rate_pct = serializers.FloatField(allow_null=True)


class LiveWindowSerializer(LiveFiguresSerializer):
    number = serializers.IntegerField()
    name = serializers.CharField()

    def get_fields(self):
        # The window first, then its figures: the order of the feed's JSON.
        fields = super().get_fields()
        return {name: fields.pop(name) for name in ("number", "name")} | fields


class LiveBadReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The rating's id.")
    time = serializers.CharField(help_text="HH:MM, the hall's local time.")
    window_number = serializers.IntegerField()
    window_name = serializers.CharField()
    staff_name = serializers.CharField(help_text="Empty when no staff member is recorded.")
    badge_no = serializers.CharField()
    level = serializers.IntegerField()
    level_label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Their labels.")
    comment = serializers.CharField()
    phone = serializers.CharField(help_text="The callback phone, masked (138****5678).")


class LiveResultsSerializer(serializers.Serializer):
    hall = serializers.CharField(help_text="The hall's code.")
    date = serializers.DateField(help_text="The hall's today.")
    updated_at = serializers.CharField(help_text="HH:MM:SS, the hall's local time.")
    totals = LiveFiguresSerializer()
    windows = LiveWindowSerializer(many=True)
    bad_reviews = LiveBadReviewSerializer(many=True, help_text="Today's, newest first.")


class LiveResultsView(HallFeedView):
    """Today's figures of a hall, by window and in all, and its bad reviews of today."""

    @extend_schema(
        parameters=[HallQuery],
        responses={200: LiveResultsSerializer, **FEED_RESPONSES},
        summary="The hall results page's live block: today's figures and bad reviews",
    )
    def get(self, request):
        hall = query_hall(request)
        return Response(LiveResultsSerializer(live_figures(hall=hall)).data)
