"""The installation-wide catalogue of service items (not owned by a hall).

Managers may look items up and add the ones a window needs; changing or deleting an
item touches every hall, so only the system administrator may (roles.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from windows.admin.actions import xlsx_response
from windows.exports import write_service_items_xlsx
from windows.models import ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "category",
        "handling",
        "promised_working_days",
        "is_published",
    )
    list_filter = ("handling", "category", "is_published")
    search_fields = ("code", "name", "category")
    ordering = ("code",)
    actions = ("export_xlsx",)

    @admin.action(description=_("Export selected service items to Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return xlsx_response(queryset, writer=write_service_items_xlsx, prefix="service-items")
