"""Rating tablets (pairing codes, revoking), the ratings they send and bad-review follow-ups."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from evaluations.models import Rating, TabletDevice
from evaluations.services.devices import tablet_issue_pairing_code, tablet_revoke
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter, ReadOnlyAdmin
from windows.links import absolute_url
from windows.models import Window
from windows.pairing import pairing_status


class PairingCodeForm(forms.Form):
    window = forms.ModelChoiceField(label=_("window"), queryset=Window.objects.none())
    label = forms.CharField(label=_("label"), max_length=50, required=False)

    def __init__(self, *args, windows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows


@admin.register(TabletDevice)
class TabletDeviceAdmin(HallScopedAdmin):
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

    @admin.display(description=_("hall"), ordering="window__hall__code")
    def hall(self, obj: TabletDevice):
        return obj.window.hall

    @admin.display(description=_("pairing status"))
    def pairing_status(self, obj: TabletDevice) -> str:
        return pairing_status(obj)

    @admin.action(description=_("Revoke the selected tablets"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset) -> None:
        count = 0
        for device in queryset.filter(revoked_at__isnull=True):
            tablet_revoke(device=device)
            count += 1
        self.message_user(
            request,
            ngettext("%d tablet revoked.", "%d tablets revoked.", count) % count,
            messages.SUCCESS,
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.issue_view)
        return [
            path("issue/", view, name="evaluations_tabletdevice_issue"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        return self.issue_view(request)

    @method_decorator(never_cache)
    def issue_view(self, request: HttpRequest) -> HttpResponse:
        """Issue a pairing code for a window; the code is shown once and stored only hashed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        windows = (
            Window.objects.for_user(request.user)
            .active()
            .select_related("hall")
            .order_by("hall__code", "number")
        )
        form = PairingCodeForm(request.POST or None, windows=windows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Issue a pairing code"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            device, code = tablet_issue_pairing_code(
                window=form.cleaned_data["window"], label=form.cleaned_data["label"]
            )
            self.log_addition(request, device, [{"added": {}}])
            # The address the tablets open (PORTAL_BASE_URL), whatever host this page has.
            link = absolute_url(f"{reverse('tablet:pair')}?code={code}")
            qr_svg = segno.make(link, error="m").svg_inline(scale=5, border=2)
            context.update({"device": device, "code": code, "link": link, "qr_svg": qr_svg})
            return TemplateResponse(request, "evaluations/tablet/admin_pairing_code.html", context)
        return TemplateResponse(request, "evaluations/tablet/admin_issue.html", context)


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
