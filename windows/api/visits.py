"""Visits over the API: batch ingestion for the queue system, and reads."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from windows.api.permissions import ModelViewPermission
from windows.api.query import (
    FIELD_ERRORS_SCHEMA,
    hall_code_field,
    query_values,
    window_number_field,
)
from windows.importing import ImportFileError, visits_ingest
from windows.models import Visit

MAX_BATCH = 5000


class VisitBatchInput(serializers.Serializer):
    hall = serializers.CharField(required=False, help_text="Hall code of every record.")
    create_missing = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)
    visits = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_BATCH
    )

    def validate_visits(self, records: list[dict]) -> list[dict]:
        # PostgreSQL cannot store a NUL in text: refuse it here, not deep in the import.
        for number, record in enumerate(records, start=1):
            if any("\x00" in str(key) + str(value) for key, value in record.items()):
                raise serializers.ValidationError(
                    _("Record %(number)d: null characters are not allowed.") % {"number": number}
                )
        return records


class RowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField()
    reason = serializers.CharField()
    message = serializers.CharField(help_text="`row N: reason`, as the command prints it.")


class VisitBatchOutput(serializers.Serializer):
    imported = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    historical_bad = serializers.IntegerField(
        help_text="New bad reviews whose follow-up deadline had passed already: stored "
        "as historical, no follow-up case opened."
    )
    dry_run = serializers.BooleanField()
    summary = serializers.CharField()
    errors = RowErrorOutput(many=True)


class VisitBatchView(APIView):
    """POST a batch of visits with the fields of contracts.md section 2 (JSON).

    Idempotent like the file import: a visit already stored is counted as unchanged.
    Record N of `visits` is reported as row N. A bad review past its follow-up deadline
    is stored historical, without a case (`historical_bad` says how many).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(request=VisitBatchInput, responses=VisitBatchOutput)
    def post(self, request):
        batch = VisitBatchInput(data=request.data)
        batch.is_valid(raise_exception=True)
        data = batch.validated_data
        try:
            result = visits_ingest(
                records=data["visits"],
                hall_code=data.get("hall"),
                create_missing=data["create_missing"],
                dry_run=data["dry_run"],
                user=request.user,
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied from exc
        except ImportFileError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        output = {
            "imported": result.imported,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "historical_bad": result.historical_bad,
            "dry_run": result.dry_run,
            "summary": result.summary,
            "errors": [
                {"row": error.row, "reason": error.reason, "message": str(error)}
                for error in result.errors
            ],
        }
        return Response(VisitBatchOutput(output).data)


class VisitSerializer(serializers.ModelSerializer):
    hall_code = serializers.CharField(source="hall.code")
    window_no = serializers.IntegerField(source="window.number")
    staff_badge = serializers.CharField(source="staff.badge_no", default=None, allow_null=True)
    service_codes = serializers.SerializerMethodField()
    # None while the visit is unrated (and staff_badge when no staff member is recorded).
    rating = serializers.IntegerField(source="rating.level", default=None, allow_null=True)
    rated_at = serializers.DateTimeField(source="rating.rated_at", default=None, allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "hall_code",
            "ticket_no",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
            "service_date",
            "window_no",
            "staff_badge",
            "service_codes",
            "item_count",
            "status",
            "rating",
            "rated_at",
        ]

    def get_service_codes(self, visit: Visit) -> list[str]:
        return [item.code for item in visit.service_items.all()]


class VisitQuery(serializers.Serializer):
    hall = hall_code_field(required=False, allow_blank=True)
    date = serializers.DateField(required=False, help_text="The service date, YYYY-MM-DD.")
    window = window_number_field(required=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[VisitQuery],
        responses={200: VisitSerializer(many=True), 400: FIELD_ERRORS_SCHEMA},
    )
)
class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits of the caller's halls; filter with ?hall=CODE&date=YYYY-MM-DD&window=N."""

    serializer_class = VisitSerializer
    permission_classes = [ModelViewPermission]
    queryset = Visit.objects.all()

    def get_queryset(self):
        return (
            Visit.objects.for_user(self.request.user)
            .select_related("hall", "window", "staff", "rating")
            .prefetch_related("service_items")
            .order_by("-started_at", "pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = query_values(VisitQuery, self.request)
        if query.get("hall"):
            queryset = queryset.filter(hall__code=query["hall"])
        if "date" in query:
            queryset = queryset.filter(service_date=query["date"])
        if "window" in query:
            queryset = queryset.filter(window__number=query["window"])
        return queryset
