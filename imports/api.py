"""Batch ingestion of the queue system's visits over the API (the file import's rules)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.visits import visits_ingest
from windows.importing import ImportFileError

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
    created = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="With create_missing: how many windows, service_items and staff (badge "
        "cards without a login) were created; kinds with none are left out.",
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
            "created": dict(result.created),
            "dry_run": result.dry_run,
            "summary": result.summary,
            "errors": [
                {"row": error.row, "reason": error.reason, "message": str(error)}
                for error in result.errors
            ],
        }
        return Response(VisitBatchOutput(output).data)
