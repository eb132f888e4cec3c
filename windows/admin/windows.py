"""Numbered windows, the service items each one handles, their export and import."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.urls import path
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from windows.admin.actions import xlsx_response
from windows.admin.imports import WINDOWS_IMPORT, import_job_view, import_view
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter, HallScopedTabularInline
from windows.exports import write_windows_xlsx
from windows.hooks import window_records
from windows.models import Window, WindowServiceItem


class WindowServiceItemInline(HallScopedTabularInline):
    model = WindowServiceItem
    fields = ("service_item",)
    autocomplete_fields = ("service_item",)
    extra = 0


@admin.register(Window)
class WindowAdmin(HallScopedAdmin):
    list_display = ("number", "name", "zone", "department", "is_active", "item_count")
    list_display_links = ("number", "name")
    list_filter = (
        ("hall", HallScopedRelatedFilter),
        ("zone", HallScopedRelatedFilter),
        ("department", HallScopedRelatedFilter),
        "is_active",
    )
    search_fields = ("number__exact", "name")
    list_select_related = ("hall", "zone", "department")
    ordering = ("hall__code", "number")
    fields = ("hall", "number", "name", "zone", "department", "is_active", "honours_and_warnings")
    readonly_fields = ("honours_and_warnings",)
    inlines = (WindowServiceItemInline,)
    actions = ("export_xlsx",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(item_count=Count("window_items"))

    @admin.display(description=_("number of service items"), ordering="item_count")
    def item_count(self, obj: Window) -> int:
        return obj.item_count

    @admin.display(description=_("honours and warnings"))
    def honours_and_warnings(self, obj: Window | None) -> str:
        """What the apps above say about the window (rectification: inspections, 明察暗访),
        through the window_records hook; each part is escaped HTML of its own."""
        if obj is None or obj.pk is None:
            return "—"
        parts = window_records.collect(window=obj)
        return format_html_join("", "{}", ((part,) for part in parts)) if parts else "—"

    @admin.action(description=_("Export selected windows to Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return xlsx_response(queryset, writer=write_windows_xlsx, prefix="windows")

    def get_urls(self):
        view = self.admin_site.admin_view(
            lambda request: import_view(self, request, WINDOWS_IMPORT)
        )
        job = self.admin_site.admin_view(
            lambda request, pk: import_job_view(self, request, WINDOWS_IMPORT, pk)
        )
        return [
            path("import/", view, name="windows_window_import"),
            path("import/jobs/<int:pk>/", job, name="windows_window_import_job"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_windows": request.user.has_perms(WINDOWS_IMPORT.permissions),
        }
        return super().changelist_view(request, extra_context)
