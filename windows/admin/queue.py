"""The hall's own queue in the admin: business categories (业务类别) and the hall's screens
(ticket kiosks, big screens) with their pairing codes. Both scoped to the user's halls."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, DateField, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from windows.admin.paired_devices import PairedDeviceAdmin
from windows.admin.scoping import (
    HallOwnedForm,
    HallScopedAdmin,
    HallScopedRelatedFilter,
    request_hall_ids,
)
from windows.hall_devices import hall_device_issue_pairing_code, hall_device_revoke
from windows.models import Hall, HallDevice, QueueCategory, TicketCounter, Visit
from windows.queue.defaults import default_categories_create
from windows.rules.hall_time import hall_localdate

# --- business categories --------------------------------------------------------------


class QueueCategoryForm(HallOwnedForm):
    """The zones and windows that serve a category are the category's hall's."""

    class Meta:
        model = QueueCategory
        fields = "__all__"
        widgets = {"zones": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hall_id = self.instance.hall_id or self.initial.get("hall")
        if hall_id:
            for name in ("zones", "windows"):
                if name in self.fields:
                    self.fields[name].queryset = self.fields[name].queryset.filter(hall_id=hall_id)

    def clean(self):
        cleaned = super().clean()
        hall = cleaned.get("hall") or (self.instance.hall if self.instance.hall_id else None)
        if hall is not None:
            message = gettext("Choose only zones and windows of %(hall)s.") % {"hall": hall}
            for name in ("zones", "windows"):
                if any(row.hall_id != hall.pk for row in cleaned.get(name) or ()):
                    self.add_error(name, message)
        return cleaned


def today_by_hall(halls) -> Case:
    """Each row's hall's local day (one rule: hall_localdate), as an SQL expression."""
    days = {str(hall.time_zone): hall_localdate(hall) for hall in halls}
    return Case(
        *[When(hall__time_zone=zone, then=Value(day)) for zone, day in days.items()],
        default=Value(None),
        output_field=DateField(),
    )


@admin.register(QueueCategory)
class QueueCategoryAdmin(HallScopedAdmin):
    form = QueueCategoryForm
    list_display = (
        "prefix",
        "name",
        "hall",
        "hours",
        "daily_capacity",
        "is_active",
        "issued_today",
        "waiting_today",
    )
    list_display_links = ("prefix", "name")
    list_filter = (("hall", HallScopedRelatedFilter), "is_active")
    search_fields = ("name", "prefix")
    list_select_related = ("hall",)
    ordering = ("hall__code", "sort_order", "prefix")
    fieldsets = (
        (None, {"fields": ("hall", "name", "prefix", "sort_order", "is_active")}),
        (_("Who serves it"), {"fields": ("zones", "windows")}),
        (_("Tickets"), {"fields": ("opens_at", "closes_at", "daily_capacity")}),
    )
    filter_horizontal = ("windows",)
    change_list_template = "windows/kiosk/admin_category_change_list.html"

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        halls = Hall.objects.filter(pk__in=queryset.values("hall_id"))
        today = OuterRef("queue_today")
        issued = TicketCounter.objects.filter(category=OuterRef("pk"), day=today).values("last")
        waiting = (
            Visit.objects.waiting()
            .filter(category=OuterRef("pk"), service_date=today)
            .order_by()
            .values("category")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return queryset.annotate(queue_today=today_by_hall(halls)).annotate(
            issued_count=Coalesce(Subquery(issued[:1]), 0, output_field=IntegerField()),
            waiting_count=Coalesce(Subquery(waiting[:1]), 0, output_field=IntegerField()),
        )

    def get_list_display(self, request: HttpRequest):
        shown = super().get_list_display(request)
        hall_ids = request_hall_ids(request)
        if hall_ids is not None and len(hall_ids) == 1:  # one hall: no need to name it
            shown = tuple(name for name in shown if name != "hall")
        return shown

    @admin.display(description=_("ticket hours"), ordering="opens_at")
    def hours(self, obj: QueueCategory) -> str:
        return format_html(
            '<span style="white-space: nowrap">{}–{}</span>',
            f"{obj.opens_at:%H:%M}",
            f"{obj.closes_at:%H:%M}",
        )

    @admin.display(description=_("issued today"), ordering="issued_count")
    def issued_today(self, obj: QueueCategory) -> int:
        return obj.issued_count

    @admin.display(description=_("waiting now"), ordering="waiting_count")
    def waiting_today(self, obj: QueueCategory) -> int:
        return obj.waiting_count

    def get_urls(self):
        view = self.admin_site.admin_view(self.defaults_view)
        return [
            path("defaults/", view, name="windows_queuecategory_create_default"),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def defaults_view(self, request: HttpRequest) -> HttpResponse:
        """Create a hall's default categories: one per general zone, one for the specialist
        windows (windows.queue.defaults); only for a hall that has none yet."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HallChoiceForm(
            request.POST or None, halls=Hall.objects.for_granted_halls(request.user)
        )
        if request.method == "POST" and form.is_valid():
            hall = form.cleaned_data["hall"]
            created = default_categories_create(hall=hall)
            if created:
                for category in QueueCategory.objects.filter(hall=hall):
                    self.log_addition(request, category, [{"added": {}}])
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d business category created for %(hall)s.",
                        "%(count)d business categories created for %(hall)s.",
                        created,
                    )
                    % {"count": created, "hall": hall},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(hall)s already has business categories; nothing was created.")
                    % {"hall": hall},
                    messages.WARNING,
                )
            return HttpResponseRedirect(reverse("admin:windows_queuecategory_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Create the default business categories"),
            "form": form,
        }
        return TemplateResponse(request, "windows/kiosk/admin_defaults.html", context)


class HallChoiceForm(forms.Form):
    hall = forms.ModelChoiceField(label=_("hall"), queryset=Hall.objects.none())

    def __init__(self, *args, halls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = halls
        if len(halls) == 1:
            self.fields["hall"].initial = halls[0].pk


# --- the hall's screens ---------------------------------------------------------------


class PairingCodeForm(forms.Form):
    hall = forms.ModelChoiceField(label=_("hall"), queryset=Hall.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=HallDevice.Kind.choices)
    label = forms.CharField(label=_("label"), max_length=50, required=False)

    def __init__(self, *args, halls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = halls
        if len(halls) == 1:
            self.fields["hall"].initial = halls[0].pk


def pairing_path(kind: str) -> str:
    """The pairing page of a screen of this kind."""
    name = "kiosk:pair" if kind == HallDevice.Kind.KIOSK else "display:pair"
    try:
        return reverse(name)
    except NoReverseMatch:  # the big screen's pages are not mounted in this set-up
        return f"/{kind}/pair/"


@admin.register(HallDevice)
class HallDeviceAdmin(PairedDeviceAdmin):
    """A screen is created together with its pairing code; the add page issues one."""

    list_display = (
        "__str__",
        "kind",
        "hall",
        "pairing_status",
        "paired_at",
        "last_seen_at",
        "revoked_at",
    )
    list_filter = (("hall", HallScopedRelatedFilter), "kind")
    list_select_related = ("hall",)
    ordering = ("hall__code", "kind", "-created_at")
    fields = (
        "hall",
        "kind",
        "label",
        "pairing_status",
        "pairing_expires_at",
        "paired_at",
        "last_seen_at",
        "revoked_at",
        "created_at",
    )
    readonly_fields = (
        "hall",
        "kind",
        "pairing_status",
        "pairing_expires_at",
        "paired_at",
        "last_seen_at",
        "revoked_at",
        "created_at",
    )
    actions = ("revoke_selected",)
    change_list_template = "windows/kiosk/admin_device_change_list.html"
    issue_url_name = "windows_halldevice_issue"
    issue_template = "windows/kiosk/admin_issue.html"
    pairing_code_template = "windows/kiosk/admin_pairing_code.html"

    @admin.action(description=_("Revoke the selected screens"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset) -> None:
        self.revoke_devices(request, queryset)

    def revoke_device(self, device: HallDevice) -> None:
        hall_device_revoke(device=device)

    def revoked_message(self, count: int) -> str:
        return ngettext("%d screen revoked.", "%d screens revoked.", count) % count

    def issue_form(self, request: HttpRequest) -> PairingCodeForm:
        halls = Hall.objects.for_granted_halls(request.user).filter(is_active=True).order_by("code")
        return PairingCodeForm(request.POST or None, halls=halls)

    def issue_device(self, cleaned_data: dict) -> tuple[HallDevice, str]:
        return hall_device_issue_pairing_code(
            hall=cleaned_data["hall"], kind=cleaned_data["kind"], label=cleaned_data["label"]
        )

    def pairing_path(self, device: HallDevice) -> str:
        return pairing_path(device.kind)
