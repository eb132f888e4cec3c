"""Admin actions shared by several admins."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from django.db.models import QuerySet
from django.http import HttpResponse

from windows.exports import XLSX_CONTENT_TYPE, export_filename


def xlsx_response(
    queryset: QuerySet, *, writer: Callable[[QuerySet, BytesIO], int], prefix: str
) -> HttpResponse:
    """The rows of the queryset (as the admin gave it: scoped and selected) as a download."""
    buffer = BytesIO()
    writer(queryset, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(prefix)}"'
    return response
