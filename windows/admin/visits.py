"""Visits in the admin: read-only (they come from the queue system; imports/admin.py adds
the upload import to this page)."""

from __future__ import annotations

from django.contrib import admin

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
