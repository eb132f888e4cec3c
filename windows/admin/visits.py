"""Visits in the admin: read-only (they come from the queue system), with the upload import."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path

from windows.admin.imports import VISITS_IMPORT, import_view
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter, ReadOnlyAdmin
from windows.models import Visit


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin, HallScopedAdmin):
    list_display = (
        "service_date",
        "ticket_no",
        "window",
        "staff",
        "status",
        "item_count",
        "started_at",
        "finished_at",
    )
    list_filter = ("status", ("hall", HallScopedRelatedFilter), ("window", HallScopedRelatedFilter))
    search_fields = ("ticket_no", "staff__badge_no", "staff__display_name")
    date_hierarchy = "service_date"
    list_select_related = ("hall", "window", "staff")
    ordering = ("-started_at",)
    show_full_result_count = False

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_view(self, request, VISITS_IMPORT))
        return [path("import/", view, name="windows_visit_import"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_visits": request.user.has_perms(VISITS_IMPORT.permissions),
        }
        return super().changelist_view(request, extra_context)
