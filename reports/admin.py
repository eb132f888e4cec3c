"""The bulletins in the admin: managers set the recipients of their halls; bulletins and
their deliveries are read-only records (built by the scheduled job or build_bulletin)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from windows.admin.private_files import private_file_link
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter

from .models import Bulletin, BulletinDelivery, BulletinRecipient


@admin.register(BulletinRecipient)
class BulletinRecipientAdmin(HallScopedAdmin):
    list_display = ("email", "name", "hall", "kind", "is_active")
    list_filter = (("hall", HallScopedRelatedFilter), "kind", "is_active")
    search_fields = ("email", "name")


class BulletinDeliveryInline(admin.TabularInline):
    model = BulletinDelivery
    extra = 0
    fields = ("email", "status", "attempts", "last_error", "sent_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Bulletin)
class BulletinAdmin(HallScopedAdmin):
    list_display = ("hall", "kind", "period_start", "period_end", "built_at")
    list_filter = (("hall", HallScopedRelatedFilter), "kind")
    date_hierarchy = "period_start"
    fields = ("hall", "kind", "period_start", "period_end", "built_at", "workbook_file")
    readonly_fields = fields
    inlines = (BulletinDeliveryInline,)

    @admin.display(description=_("workbook"))
    def workbook_file(self, obj: Bulletin) -> str:
        return private_file_link(obj.workbook, "bulletins:download", obj.pk)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


from reports.regional import admin as regional_admin  # noqa: E402, F401
from reports.surge import admin as surge_admin  # noqa: E402, F401
