"""Complaint cases, their deadline rules and extensions in the admin.

The admin only reads cases (with their change history); every step of the workflow goes
through the case pages and their services, so the status is never edited freely here.
Managers set the working days each step may take per channel (deadline rules).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from complaints.history_admin import CaseHistoryAdminMixin
from complaints.models import Complaint, DeadlineExtension, DeadlineRule
from complaints.services.deadlines import is_overdue
from evaluations.admin.devices import reason_labels
from windows.admin.private_files import private_file_link
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter, ReadOnlyAdmin
from windows.models import Hall
from windows.roles import mask_phone, may_see_phone, phone_shower
from windows.rules.hall_time import hall_localdate


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("on time"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        late = ~Q(status=Complaint.Status.CLOSED) & _past_due_in_each_halls_today(queryset)
        return queryset.filter(late) if self.value() == "yes" else queryset.exclude(late)


def _past_due_in_each_halls_today(queryset) -> Q:
    """Due before today, each case by its own hall's today (halls may lie in other zones)."""
    halls_by_day: dict = {}
    for hall in Hall.objects.filter(pk__in=queryset.values("hall_id")).only("pk", "time_zone"):
        halls_by_day.setdefault(hall_localdate(hall), []).append(hall.pk)
    past_due = Q(pk__in=[])
    for today, hall_ids in halls_by_day.items():
        past_due |= Q(hall_id__in=hall_ids, due_date__lt=today)
    return past_due


@admin.register(Complaint)
class ComplaintAdmin(CaseHistoryAdminMixin, ReadOnlyAdmin, HallScopedAdmin, SimpleHistoryAdmin):
    """Read-only cases of the user's halls, with their history (also hall-scoped)."""

    list_display = (
        "__str__",
        "channel",
        "status",
        "overdue",
        "due_date",
        "hall",
        "window",
        "phone",
    )
    list_filter = (
        "status",
        "channel",
        OverdueFilter,
        ("hall", HallScopedRelatedFilter),
        "escalated",
    )
    list_select_related = ("hall", "window", "handler")
    search_fields = ("work_order_no", "rating__visit__ticket_no")
    date_hierarchy = "received_at"
    fields = (
        "hall",
        "channel",
        "work_order_no",
        "received_at",
        "complainant_name",
        "phone",
        "window",
        "staff",
        "service_item",
        "category",
        "rating",
        "level",
        "reason_list",
        "comment",
        "attachment_file",
        "status",
        "due_date",
        "overdue",
        "handler",
        "verification_note",
        "reply",
        "replied_at",
        "callback_result",
        "callback_note",
        "callback_at",
        "reopen_count",
        "escalated",
        "verdict",
        "closing_note",
        "closed_at",
        "personal_data_erased_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("attachment"))
    def attachment_file(self, obj: Complaint) -> str:
        return private_file_link(obj.attachment, "complaints:attachment", obj.pk)

    @admin.display(description=_("bad-review reasons"))
    def reason_list(self, obj: Complaint) -> str:
        return reason_labels(obj.reasons)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Complaint) -> bool:
        return is_overdue(obj, hall_localdate(obj.hall))

    @admin.display(description=_("complainant phone"))
    def phone(self, obj: Complaint) -> str:
        """Masked; the list and the detail page show it in full to whoever may call."""
        return self.masked_phone(obj)

    @admin.display(description=_("complainant phone"))
    def masked_phone(self, obj: Complaint) -> str:
        return mask_phone(obj.callback_phone) or "-"

    @admin.display(description=_("complainant phone"))
    def full_phone(self, obj: Complaint) -> str:
        return obj.callback_phone or "-"

    def get_list_display(self, request: HttpRequest):
        shown = phone_shower(request.user)

        @admin.display(description=_("complainant phone"))
        def phone(obj: Complaint) -> str:
            return shown(obj) or "-"

        return [phone if name == "phone" else name for name in self.list_display]

    def get_fields(self, request: HttpRequest, obj=None):
        # The handler and the hall's managers call back; everyone else sees it masked.
        shown = "full_phone" if obj and may_see_phone(request.user, obj) else "masked_phone"
        return [shown if name == "phone" else name for name in self.fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return (*super().get_readonly_fields(request, obj), "masked_phone", "full_phone")

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            # simple_history saves a POSTed past version without asking for the change
            # permission; a case only moves through its services.
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(HallScopedAdmin):
    """Working days per step and channel; without a rule the defaults apply
    (complaints.services.deadlines.DEFAULT_RULES)."""

    list_display = ("hall", "channel", "step", "working_days")
    list_filter = (("hall", HallScopedRelatedFilter), "channel", "step")
    list_select_related = ("hall",)
    fields = ("hall", "channel", "step", "working_days")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin, HallScopedAdmin):
    """Requested and decided on the case pages; listed here to read."""

    list_display = (
        "complaint",
        "step",
        "working_days",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status",)
    list_select_related = ("complaint__hall", "requested_by", "decided_by")
    fields = (*list_display, "reason")
    readonly_fields = fields
