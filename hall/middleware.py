"""Refuse a NUL byte in a request's path, query string or form data with a 400.

PostgreSQL cannot store "\\x00" in text: a NUL that reaches a query or a write fails deep
inside the database driver (ValueError, DataError) and the user gets a 500, on any page,
the admin's autocomplete or the API alike. No field of the portal can hold one, so it is
refused here, once, before any view runs. JSON bodies are the serializers' business: DRF's
CharField refuses a NUL with a 400 of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    UnreadablePostError,
)
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _first_nul(request: HttpRequest) -> str | None:
    """The name of the first part of the request that holds a NUL, or None."""
    if NUL in request.path_info:
        return "path"
    sources = list(request.GET.lists())
    if request.method == "POST" and request.content_type in FORM_TYPES:
        try:
            sources += request.POST.lists()
        except UnreadablePostError:
            pass  # the client went away: the view meets the same error, as after CSRF's read
    for name, values in sources:
        if NUL in name:
            return "query"
        if any(NUL in value for value in values):
            return name
    return None


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _first_nul(request)
        if name is None:
            return self.get_response(request)
        message = _("Null characters are not allowed.")
        if "text/html" in request.headers.get("Accept", ""):
            return HttpResponseBadRequest(f"{name}: {message}", content_type="text/plain")
        # DRF's shape of a field error, for the API and the pages' JSON feeds.
        return JsonResponse(
            {name: [message]}, status=400, json_dumps_params={"ensure_ascii": False}
        )
