"""Halls, who may manage them, and how they are organised (departments, zones)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from windows.admin.scoping import (
    HallScopedAdmin,
    HallScopedRelatedFilter,
    HallScopedTabularInline,
    SuperuserOnly,
)
from windows.models import Department, Hall, HallAccess, Window, Zone


@admin.register(Hall)
class HallAdmin(HallScopedAdmin):
    """Halls are created by the system administrator; a manager edits their own hall."""

    list_display = ("code", "name", "district", "supervision_phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "district")
    ordering = ("code",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name",
                    "district",
                    "address",
                    "supervision_phone",
                    "time_zone",
                    "is_active",
                )
            },
        ),
        (
            _("Ratings and follow-ups"),
            {
                "fields": (
                    "rating_timeout_seconds",
                    "weekly_questionnaire_quota",
                    "followup_due_working_days",
                )
            },
        ),
        (
            _("Queue and appointments"),
            {
                "fields": (
                    "queue_recall_limit",
                    "display_shows_ratings",
                    "booking_miss_limit",
                    "booking_miss_days",
                    "booking_block_days",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            # Imports and integrations name the hall by its code; its time zone decides
            # where every stored day begins, so only the system administrator sets it.
            readonly += ("code", "time_zone")
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(HallAccess)
class HallAccessAdmin(SuperuserOnly, HallScopedAdmin):
    """Who manages or supervises which hall: for the system administrator only."""

    list_display = ("user", "hall")
    list_filter = (("hall", HallScopedRelatedFilter),)
    search_fields = ("user__username", "hall__code", "hall__name")
    list_select_related = ("user", "hall")
    autocomplete_fields = ("user",)
    ordering = ("hall__code", "user__username")


@admin.register(Department)
class DepartmentAdmin(HallScopedAdmin):
    list_display = ("name", "hall", "window_count")
    list_filter = (("hall", HallScopedRelatedFilter),)
    search_fields = ("name",)
    list_select_related = ("hall",)
    ordering = ("hall__code", "name")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(window_count=Count("windows"))

    @admin.display(description=_("number of windows"), ordering="window_count")
    def window_count(self, obj: Department) -> int:
        return obj.window_count


class ZoneWindowFormSet(BaseInlineFormSet):
    """Windows added under a zone belong to the zone's hall."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.hall_id and not form.instance.hall_id:
            form.instance.hall_id = self.instance.hall_id
        return form


class ZoneWindowInline(HallScopedTabularInline):
    model = Window
    formset = ZoneWindowFormSet
    fields = ("number", "name", "department", "is_active")
    ordering = ("number",)
    extra = 0
    show_change_link = True


@admin.register(Zone)
class ZoneAdmin(HallScopedAdmin):
    list_display = ("name", "hall", "kind", "sort_order", "window_count")
    list_filter = ("kind", ("hall", HallScopedRelatedFilter))
    search_fields = ("name",)
    list_select_related = ("hall",)
    ordering = ("hall__code", "sort_order", "name")
    inlines = (ZoneWindowInline,)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(window_count=Count("windows"))

    @admin.display(description=_("number of windows"), ordering="window_count")
    def window_count(self, obj: Zone) -> int:
        return obj.window_count
