"""The regional bulletins in the admin: the system administrator sets each region's
recipients; bulletins and their deliveries are read-only records (built by the beat job)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from windows.admin.private_files import private_file_link
from windows.admin.regions import SuperuserOnlyAdmin

from .models import RegionalBulletin, RegionalBulletinDelivery, RegionalBulletinRecipient


@admin.register(RegionalBulletinRecipient)
class RegionalBulletinRecipientAdmin(SuperuserOnlyAdmin):
    list_display = ("email", "name", "region", "is_active")
    list_filter = ("region", "is_active")
    search_fields = ("email", "name")


class RegionalDeliveryInline(admin.TabularInline):
    model = RegionalBulletinDelivery
    extra = 0
    fields = ("email", "status", "attempts", "last_error", "sent_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RegionalBulletin)
class RegionalBulletinAdmin(SuperuserOnlyAdmin):
    list_display = ("region", "period_start", "period_end", "built_at")
    list_filter = ("region",)
    fields = ("region", "period_start", "period_end", "built_at", "workbook_file")
    readonly_fields = fields
    inlines = (RegionalDeliveryInline,)

    @admin.display(description=_("workbook"))
    def workbook_file(self, obj: RegionalBulletin) -> str:
        return private_file_link(obj.workbook, "regional:bulletin-download", obj.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
