"""The query parameters of the JSON endpoints: declared by a DRF serializer, validated by it.

One serializer per endpoint's query serves twice: drf-spectacular lists its fields as the
operation's parameters (`extend_schema(parameters=[TheQuery])`), and `query_values` checks
a request against it, so a malformed value is a 400 `{"field": ["message"]}` (DRF's shape)
instead of reaching the database. Parameters a serializer does not declare are ignored,
as DRF does (`page`, `format`).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from windows.models import Hall

HALL_CODE_MAX = Hall._meta.get_field("code").max_length
WINDOW_NUMBER_MAX = 32767  # PositiveSmallIntegerField on every database

# DRF's 400 body, for the schema: each malformed field's name and its messages. It is
# also what hall.middleware answers to a NUL byte in a query or a form.
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each malformed field's name and its messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def hall_code_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=HALL_CODE_MAX,
        help_text=kwargs.pop("help_text", "A hall code of the caller's halls."),
        **kwargs,
    )


def window_number_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=WINDOW_NUMBER_MAX,
        help_text="A window's number in its hall.",
        **kwargs,
    )


def query_values(serializer_class: type[serializers.Serializer], request: HttpRequest) -> dict:
    """The request's query, validated; raises DRF's ValidationError (a 400 in DRF views)."""
    query = serializer_class(data=request.GET)
    query.is_valid(raise_exception=True)
    return query.validated_data


def bad_query(error: ValidationError) -> JsonResponse:
    """The 400 of a plain Django JSON view, with the body a DRF view would answer."""
    return JsonResponse(error.detail, status=400, json_dumps_params={"ensure_ascii": False})
