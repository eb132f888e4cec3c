"""Complaint cases in the admin (their workflow lives on the case pages)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from evaluations.admin.devices import mask_phone, reason_labels
from evaluations.models import Complaint
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter


@admin.register(Complaint)
class ComplaintAdmin(HallScopedAdmin):
    """Opened by bad reviews only; managers record when a case is closed."""

    list_display = ("rating", "hall", "level", "reason_list", "masked_phone", "due_date", "status")
    list_filter = ("status", ("hall", HallScopedRelatedFilter), "level", "due_date")
    list_select_related = ("hall", "rating__visit__window")
    search_fields = ("rating__visit__ticket_no",)
    fields = (
        "hall",
        "rating",
        "level",
        "reason_list",
        "comment",
        "masked_phone",
        "due_date",
        "created_at",
        "status",
    )
    readonly_fields = (
        "hall",
        "rating",
        "level",
        "reason_list",
        "comment",
        "masked_phone",
        "due_date",
        "created_at",
    )

    @admin.display(description=_("bad-review reasons"))
    def reason_list(self, obj: Complaint) -> str:
        return reason_labels(obj.reasons)

    @admin.display(description=_("callback phone"))
    def masked_phone(self, obj: Complaint) -> str:
        return mask_phone(obj.callback_phone)

    @admin.display(description=_("callback phone"))
    def full_phone(self, obj: Complaint) -> str:
        return obj.callback_phone or "-"

    def get_fields(self, request: HttpRequest, obj=None):
        # Whoever handles the case calls back; a reader only sees that there is a number.
        phone = "full_phone" if self.has_change_permission(request, obj) else "masked_phone"
        return [phone if field == "masked_phone" else field for field in self.fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return (*super().get_readonly_fields(request, obj), "full_phone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
