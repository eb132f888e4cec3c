"""Visits in the admin: read-only (they come from the queue system, or the hall's own
queue; imports/admin.py adds the upload import to this page).

The hall's own queue's tickets are listed from their issue: waiting (no window, no start
yet), called, in service, ended or abandoned; the list is ordered by issue time, which
every ticket has, so a ticket not started yet is never sorted by an empty start."""

from __future__ import annotations

from django.contrib import admin

from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter, ReadOnlyAdmin
from windows.models import Visit


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin, HallScopedAdmin):
    list_display = (
        "service_date",
        "ticket_no",
        "category",
        "window",
        "staff",
        "status",
        "item_count",
        "issued_at",
        "called_at",
        "started_at",
        "finished_at",
    )
    list_filter = (
        "status",
        ("hall", HallScopedRelatedFilter),
        ("category", HallScopedRelatedFilter),
        ("window", HallScopedRelatedFilter),
    )
    search_fields = ("ticket_no", "staff__badge_no", "staff__display_name")
    date_hierarchy = "service_date"
    list_select_related = ("hall", "category", "window", "staff")
    ordering = ("-issued_at", "-pk")
    show_full_result_count = False
