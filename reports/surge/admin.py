"""The surge warning in the admin: managers set their halls' threshold, items per
window-day and on/off; the alerts are read-only records (raised by the beat job)."""

from __future__ import annotations

from django.contrib import admin

from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter

from .models import SurgeAlert, SurgeSettings


@admin.register(SurgeSettings)
class SurgeSettingsAdmin(HallScopedAdmin):
    list_display = ("hall", "is_active", "threshold", "items_per_window_day")
    list_filter = (("hall", HallScopedRelatedFilter), "is_active")


@admin.register(SurgeAlert)
class SurgeAlertAdmin(HallScopedAdmin):
    list_display = ("hall", "day", "level", "at", "projected", "capacity", "sent_at")
    list_filter = (("hall", HallScopedRelatedFilter), "level")
    date_hierarchy = "day"
    readonly_fields = (
        "hall",
        "day",
        "level",
        "at",
        "arrived",
        "projected",
        "low",
        "high",
        "capacity",
        "suggestion",
        "recipients",
        "sent_at",
        "acknowledged_at",
        "acknowledged_by",
    )
    exclude = ("claimed_at", "message_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
