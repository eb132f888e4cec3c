"""The hall's own closures and extra opening days on top of the state calendar."""

from __future__ import annotations

from django.contrib import admin

from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter
from windows.models import HallCalendarDay


@admin.register(HallCalendarDay)
class HallCalendarDayAdmin(HallScopedAdmin):
    list_display = ("date", "kind", "reason", "hall")
    list_filter = ("kind", ("hall", HallScopedRelatedFilter))
    search_fields = ("reason",)
    date_hierarchy = "date"
    list_select_related = ("hall",)
    ordering = ("-date", "hall__code")
    fields = ("hall", "date", "kind", "reason")
