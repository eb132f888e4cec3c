"""Staff badge cards with their login accounts, and the duty roster."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from windows.admin.forms import StaffCreationForm, StaffPasswordForm
from windows.admin.private_files import PrivateFileAdminMixin
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter
from windows.models import DutyAssignment, Staff
from windows.services import staff_create, staff_delete, staff_save, staff_set_password

CARD_FIELDS = ("hall", "badge_no", "display_name", "department", "job_title", "photo", "is_active")


@admin.register(Staff)
class StaffAdmin(PrivateFileAdminMixin, HallScopedAdmin):
    private_file_views = {"photo": "staff-photo"}
    """Managers create staff accounts here, never in the user admin (roles.py)."""

    list_display = ("badge_no", "display_name", "hall", "department", "is_active", "thumbnail")
    list_display_links = ("badge_no", "display_name")
    list_filter = (
        ("hall", HallScopedRelatedFilter),
        ("department", HallScopedRelatedFilter),
        "is_active",
    )
    search_fields = ("badge_no", "display_name")
    list_select_related = ("hall", "department")
    ordering = ("hall__code", "badge_no")
    readonly_fields = ("account",)
    fieldsets = ((None, {"fields": ("account", *CARD_FIELDS)}),)
    add_fieldsets = (
        (None, {"fields": CARD_FIELDS}),
        (_("Login account"), {"fields": ("username", "password1", "password2")}),
    )
    add_form = StaffCreationForm

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request: HttpRequest, obj: Staff, form, change: bool) -> None:
        if change:
            staff_save(staff=obj)
            return
        data = form.cleaned_data
        created = staff_create(
            hall=data["hall"],
            badge_no=data["badge_no"],
            display_name=data["display_name"],
            department=data.get("department"),
            job_title=data.get("job_title", ""),
            photo=data.get("photo") or None,
            is_active=data.get("is_active", True),
            username=data["username"],
            password=data["password1"],
        )
        # The admin goes on with the instance its form built (logging, redirect).
        for field in Staff._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    def delete_model(self, request: HttpRequest, obj: Staff) -> None:
        staff_delete(staff=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for staff in queryset.select_related("user"):
            staff_delete(staff=staff)

    @admin.display(description=_("photo"))
    def thumbnail(self, obj: Staff) -> str:
        if not obj.photo:
            return "-"
        url = reverse("staff-photo", args=[obj.pk])
        return format_html('<img src="{}" alt="" style="height: 40px">', url)

    @admin.display(description=_("login account"))
    def account(self, obj: Staff) -> str:
        return obj.user.get_username() if obj.pk else "-"

    def get_urls(self):
        view = self.admin_site.admin_view(self.password_view)
        return [
            path("<path:object_id>/password/", view, name="windows_staff_password"),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user")

    def may_set_password(self, request: HttpRequest, staff: Staff) -> bool:
        if not self.has_change_permission(request, staff):
            return False
        # An account with admin access is the system administrator's to manage.
        admin_account = staff.user.is_staff or staff.user.is_superuser
        return request.user.is_superuser or not admin_account

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_set_password"] = obj is not None and self.may_set_password(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def password_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Set a new password for the account of one of the manager's staff."""
        staff = self.get_object(request, unquote(object_id))
        if staff is None:
            raise Http404(gettext("No such staff member."))
        if not self.may_set_password(request, staff):
            raise PermissionDenied
        if request.method == "POST":
            form = StaffPasswordForm(staff.user, request.POST)
            if form.is_valid():
                staff_set_password(staff=staff, password=form.cleaned_data["password1"])
                self.log_change(request, staff, gettext("Set the password of the login account."))
                messages.success(
                    request,
                    gettext("The password of %(staff)s was changed.") % {"staff": staff},
                )
                return HttpResponseRedirect(reverse("admin:windows_staff_change", args=[staff.pk]))
        else:
            form = StaffPasswordForm(staff.user)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Set password: %(staff)s") % {"staff": staff},
            "opts": self.opts,
            "original": staff,
            "form": form,
        }
        return TemplateResponse(request, "admin/windows/staff/set_password.html", context)


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(HallScopedAdmin):
    list_display = ("date", "shift", "window", "staff", "role", "hall", "note")
    list_filter = ("role", "shift", ("hall", HallScopedRelatedFilter))
    search_fields = ("staff__display_name", "staff__badge_no", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("staff", "window")
    list_select_related = ("hall", "window", "staff")
    ordering = ("date", "window__number", "staff__badge_no")
    fields = ("hall", "date", "shift", "role", "staff", "window", "note")
