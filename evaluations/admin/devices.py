"""Rating tablets (pairing codes, revoking), the ratings they send and bad-review follow-ups."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from evaluations.models import Rating, TabletDevice
from evaluations.services.devices import tablet_issue_pairing_code, tablet_revoke
from windows.admin.paired_devices import PairedDeviceAdmin
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter, ReadOnlyAdmin
from windows.models import Window


class PairingCodeForm(forms.Form):
    window = forms.ModelChoiceField(label=_("window"), queryset=Window.objects.none())
    label = forms.CharField(label=_("label"), max_length=50, required=False)

    def __init__(self, *args, windows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows


@admin.register(TabletDevice)
class TabletDeviceAdmin(PairedDeviceAdmin):
    """A tablet is created together with its pairing code; the add page issues one."""

    list_display = (
        "__str__",
        "window",
        "hall",
        "pairing_status",
        "paired_at",
        "last_seen_at",
        "revoked_at",
    )
    list_filter = (
        ("window__hall", HallScopedRelatedFilter),
        ("window", HallScopedRelatedFilter),
    )
    list_select_related = ("window__hall",)
    ordering = ("window__hall__code", "window__number", "-created_at")
    fields = (
        "window",
        "label",
        "questionnaire_every",
        "pairing_status",
        "pairing_expires_at",
        "paired_at",
        "last_seen_at",
        "revoked_at",
        "created_at",
    )
    readonly_fields = (
        "window",
        "pairing_status",
        "pairing_expires_at",
        "paired_at",
        "last_seen_at",
        "revoked_at",
        "created_at",
    )
    actions = ("revoke_selected",)
    change_list_template = "evaluations/tablet/admin_device_change_list.html"
    issue_url_name = "evaluations_tabletdevice_issue"
    issue_template = "evaluations/tablet/admin_issue.html"
    pairing_code_template = "evaluations/tablet/admin_pairing_code.html"

    @admin.display(description=_("hall"), ordering="window__hall__code")
    def hall(self, obj: TabletDevice):
        return obj.window.hall

    @admin.action(description=_("Revoke the selected tablets"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset) -> None:
        self.revoke_devices(request, queryset)

    def revoke_device(self, device: TabletDevice) -> None:
        tablet_revoke(device=device)

    def revoked_message(self, count: int) -> str:
        return ngettext("%d tablet revoked.", "%d tablets revoked.", count) % count

    def issue_form(self, request: HttpRequest) -> PairingCodeForm:
        windows = (
            Window.objects.for_granted_halls(request.user)
            .active()
            .select_related("hall")
            .order_by("hall__code", "number")
        )
        return PairingCodeForm(request.POST or None, windows=windows)

    def issue_device(self, cleaned_data: dict) -> tuple[TabletDevice, str]:
        return tablet_issue_pairing_code(window=cleaned_data["window"], label=cleaned_data["label"])

    def pairing_path(self, device: TabletDevice) -> str:
        return reverse("tablet:pair")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin, HallScopedAdmin):
    """Ratings come from tablets and imports only; nobody edits them."""

    list_display = ("visit", "level", "reason_list", "source", "rated_at", "hall")
    list_filter = (("visit__hall", HallScopedRelatedFilter), "level", "source")
    list_select_related = ("visit__hall", "visit__window")
    date_hierarchy = "rated_at"
    search_fields = ("visit__ticket_no",)
    fields = ("visit", "level", "reason_list", "comment", "source", "device", "rated_at")
    readonly_fields = fields

    @admin.display(description=_("hall"), ordering="visit__hall__code")
    def hall(self, obj: Rating):
        return obj.visit.hall

    @admin.display(description=_("bad-review reasons"))
    def reason_list(self, obj: Rating) -> str:
        return reason_labels(obj.reasons)


def reason_labels(reasons: list[str]) -> str:
    labels = dict(Rating.Reason.choices)
    return "、".join(str(labels.get(reason, reason)) for reason in reasons) or "-"
