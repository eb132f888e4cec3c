"""The tablet's JSON API: its state (polled every 0.4 s) and rating submission.

Mounted at /api/v1/tablet/state and /api/v1/tablet/ratings (hall/api_router.py); the
kiosk pages loaded before that still call /tablet/api/..., kept as aliases (below).

Only a paired, unrevoked tablet gets in: its device token comes in the `Authorization:
Device <token>` header (integrations) or in the device cookie (the kiosk page). A
cookie is sent by the browser on its own, so a cookie-authenticated write must also
carry the CSRF token the kiosk page embeds, exactly as DRF does for sessions; the
header cannot be forged cross-site and needs none. A staff or manager session is not a
device: these views do not accept session authentication at all.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import CSRFCheck
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from evaluations.models import Rating, TabletDevice
from evaluations.selectors.tablet import tablet_state, tablet_state_etag
from evaluations.services.ratings import rating_record
from evaluations.tablet import limits
from evaluations.tablet.auth import HEADER_PREFIX, DeviceTokenAuthentication
from windows.api.query import FIELD_ERRORS_SCHEMA
from windows.models import Visit

ERROR_STATUS = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "wrong_window": status.HTTP_403_FORBIDDEN,
    "not_completed": status.HTTP_409_CONFLICT,
    "already_rated": status.HTTP_409_CONFLICT,
    "timed_out": status.HTTP_409_CONFLICT,
    "superseded": status.HTTP_409_CONFLICT,
    "client_id_conflict": status.HTTP_409_CONFLICT,
}
# A rating kept on the tablet while the network was down is sent with its age; older
# than this it cannot belong to a visit still open for rating anyway.
MAX_AGE_MS = 24 * 3600 * 1000
INPUT_NAMES = {"callback_phone": "phone"}  # the service's names of the input fields


def _csrf_failure(request) -> str | None:
    check = CSRFCheck(lambda req: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


class TabletAuthentication(DeviceTokenAuthentication):
    """The device token; CSRF enforced for unsafe requests authenticated by the cookie."""

    def authenticate(self, request):
        result = super().authenticate(request)
        from_cookie = not request.headers.get("Authorization", "").startswith(HEADER_PREFIX)
        if result is not None and from_cookie and request.method not in permissions.SAFE_METHODS:
            reason = _csrf_failure(request._request)
            if reason:
                raise exceptions.PermissionDenied(_("CSRF check failed: %s") % reason)
        return result


class TabletAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TabletAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <token>`: the token a tablet received at pairing.",
        }


class IsTablet(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, TabletDevice)


class TabletRatingThrottle(BaseThrottle):
    """A tablet sends at most a few ratings a minute; more is misuse (or a loop).

    The tablet keeps a throttled rating (429, with Retry-After) and retries it later.
    Counted per device (its token's hash: no other device shares it) in the shared
    cache, over a sliding minute: the same limit with one worker or five
    (evaluations/tablet/limits.py). DRF's own throttles keep a list per key, which two
    processes writing at once can overwrite.
    """

    rate = "30/min"
    limit = 30
    window = 60

    def allow_request(self, request, view) -> bool:
        device = request.auth
        if not isinstance(device, TabletDevice):
            return True
        self.outcome = limits.hit(
            f"throttle:tablet-rating:{device.token_hash}", limit=self.limit, window=self.window
        )
        return self.outcome.allowed

    def wait(self) -> float | None:
        return self.outcome.retry_after


class TabletAPIView(APIView):
    authentication_classes = [TabletAuthentication]
    permission_classes = [IsTablet]

    def permission_denied(self, request, message=None, code=None):
        if request.auth is None:
            raise exceptions.NotAuthenticated(_("This tablet is not paired."))
        super().permission_denied(request, message, code)


class WindowOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="window_number")
    name = serializers.CharField(source="window_name")


class BadgeCardOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    badge_no = serializers.CharField()
    job_title = serializers.CharField()
    department = serializers.CharField()
    photo_url = serializers.CharField()
    initials = serializers.CharField()


class PendingOutputSerializer(serializers.Serializer):
    visit_id = serializers.IntegerField()
    ticket_no = serializers.CharField()
    deadline = serializers.DateTimeField()
    seconds_left = serializers.IntegerField()


class ServingOutputSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    started_at = serializers.DateTimeField()


class StateOutputSerializer(serializers.Serializer):
    hall = serializers.CharField(source="hall_name")
    window = WindowOutputSerializer(source="*")
    staff = BadgeCardOutputSerializer(allow_null=True)
    pending = PendingOutputSerializer(allow_null=True)
    serving = ServingOutputSerializer(allow_null=True)
    invite_questionnaire = serializers.BooleanField()


class ErrorOutputSerializer(serializers.Serializer):
    error = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(), required=False)
    state = StateOutputSerializer(
        required=False, help_text="The tablet's state now, with every 409: show it at once."
    )


class TabletStateView(TabletAPIView):
    @extend_schema(
        responses={200: StateOutputSerializer, 304: None},
        summary="The tablet's state (polled; send If-None-Match with the ETag you have)",
    )
    def get(self, request):
        device: TabletDevice = request.auth
        etag = tablet_state_etag(device=device)
        if etag in request.headers.get("If-None-Match", ""):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(StateOutputSerializer(tablet_state(device=device)).data)
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        return response


class RatingInputSerializer(serializers.Serializer):
    visit_id = serializers.IntegerField(min_value=1)
    level = serializers.IntegerField(min_value=1, max_value=5)
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=5
    )
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=500)
    phone = serializers.CharField(required=False, default="", allow_blank=True, max_length=30)
    client_id = serializers.UUIDField()
    age_ms = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_AGE_MS)


class RatingOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "visit", "level", "reasons", "rated_at", "client_id"]


def _error(code: str, message: str, fields: dict | None = None) -> Response:
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response(body, status=ERROR_STATUS.get(code, status.HTTP_400_BAD_REQUEST))


def _validation_error(error: ValidationError) -> Response:
    if hasattr(error, "error_dict"):
        fields = {
            INPUT_NAMES.get(name, name): [str(m) for m in errors[0].messages]
            for name, errors in error.error_dict.items()
        }
        first = next(iter(fields.values()))[0]
        return _error("invalid", first, fields)
    return _error(error.code or "invalid", error.messages[0])


class RatingSubmitView(TabletAPIView):
    """POST a rating of the window's pending visit; a retry with the same client_id is safe.

    `age_ms` says how long ago the citizen tapped (a rating kept on the tablet while the
    server was unreachable): the rating time is the server's clock minus that age, so the
    tablet's own clock never matters.
    """

    throttle_classes = [TabletRatingThrottle]

    @extend_schema(
        request=RatingInputSerializer,
        responses={
            201: RatingOutputSerializer,
            200: RatingOutputSerializer,
            # The view's refusals, or a NUL byte in a form refused before the view
            # (hall.middleware) with the field's name.
            400: {"anyOf": [{"$ref": "#/components/schemas/ErrorOutput"}, FIELD_ERRORS_SCHEMA]},
            403: ErrorOutputSerializer,
            404: ErrorOutputSerializer,
            409: ErrorOutputSerializer,
        },
        summary="Submit the rating of the window's pending visit",
    )
    def post(self, request):
        data = RatingInputSerializer(data=request.data)
        if not data.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in data.errors.items()}
            return _error("invalid", next(iter(fields.values()))[0], fields)
        values = data.validated_data
        device: TabletDevice = request.auth
        # A visit of another hall is not found; one of another window here is refused.
        visit = (
            Visit.objects.for_hall(device.window.hall_id)
            .select_related("hall")
            .filter(pk=values["visit_id"])
            .first()
        )
        if visit is None:
            return _error("not_found", _("No such visit."))
        try:
            rating, created = rating_record(
                visit=visit,
                level=values["level"],
                source=Rating.Source.TABLET,
                tapped_ago=timedelta(milliseconds=values["age_ms"]),
                reasons=values["reasons"],
                comment=values["comment"],
                callback_phone=values["phone"],
                device=device,
                client_id=values["client_id"],
            )
        except ValidationError as error:
            response = _validation_error(error)
            if response.status_code == status.HTTP_409_CONFLICT:
                # The tablet was behind (e.g. the next citizen's service has started):
                # give it the state to show now instead of waiting for its next poll.
                state = tablet_state(device=device)
                response.data["state"] = StateOutputSerializer(state).data
            return response
        return Response(
            RatingOutputSerializer(rating).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# The paths the kiosk page used before the API moved under /api/v1/tablet/: a tablet keeps
# its page loaded all day, so they answer as before until it reloads. The schema documents
# each operation once, at its /api/v1/ path.
@extend_schema(exclude=True)
class TabletStateAlias(TabletStateView):
    """/tablet/api/state, the same view as /api/v1/tablet/state."""


@extend_schema(exclude=True)
class RatingSubmitAlias(RatingSubmitView):
    """/tablet/api/ratings, the same view as /api/v1/tablet/ratings."""
