"""Staff badge cards with their login accounts (a card may have none), their import and
export, and the duty roster."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from windows.admin.actions import xlsx_response
from windows.admin.forms import (
    StaffCreationForm,
    StaffImportForm,
    StaffLoginForm,
    StaffPasswordForm,
)
from windows.admin.imports import ImportPage, import_job_view, import_view
from windows.admin.private_files import PrivateFileAdminMixin
from windows.admin.scoping import HallScopedAdmin, HallScopedRelatedFilter
from windows.exports import write_staff_xlsx
from windows.models import DutyAssignment, Staff
from windows.services import (
    staff_create,
    staff_delete,
    staff_login_create,
    staff_save,
    staff_set_password,
)

CARD_FIELDS = (
    "hall",
    "badge_no",
    "display_name",
    "department",
    "job_title",
    "email",
    "photo",
    "is_active",
)


def staff_import_options(data: dict) -> dict:
    hall = data.get("hall")
    return {"dry_run": data["dry_run"], "hall_code": hall.code if hall else None}


STAFF_IMPORT = ImportPage(
    title=gettext_lazy("Import staff"),
    introduction=gettext_lazy(
        "One row per staff member. Columns (English or Chinese headers): hall_code 大厅编码, "
        "badge_no 工号, name 姓名, department 部门 (created if new), job_title 职务, email "
        "邮箱, on_duty 在岗 (是/否 or yes/no, yes if empty), username 登录名 (gives a card "
        "without a login one, with no password until you set it). A staff member is found "
        "by hall and badge: importing the same file again updates the cards and never "
        "duplicates them; a column the file does not have is left as it is, and an existing "
        "login is never changed or removed."
    ),
    form_class=StaffImportForm,
    permissions=("windows.add_staff", "windows.change_staff"),
    kind="staff",
    options=staff_import_options,
    url_name="windows_staff_import",
    done=gettext_lazy("Staff imported: %(summary)s."),
    done_with_rejections=gettext_lazy("Staff imported with rejected rows: %(summary)s."),
)


class HasLoginFilter(admin.SimpleListFilter):
    title = _("login account")
    parameter_name = "login"

    def lookups(self, request, model_admin):
        return (("yes", _("with a login")), ("no", _("without a login")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(user__isnull=self.value() == "no")
        return queryset


@admin.register(Staff)
class StaffAdmin(PrivateFileAdminMixin, HallScopedAdmin):
    """Managers create staff accounts here, never in the user admin (roles.py)."""

    private_file_views = {"photo": "staff-photo"}
    list_display = (
        "badge_no",
        "display_name",
        "hall",
        "department",
        "email",
        "account",
        "is_active",
        "thumbnail",
    )
    list_display_links = ("badge_no", "display_name")
    list_filter = (
        ("hall", HallScopedRelatedFilter),
        ("department", HallScopedRelatedFilter),
        "is_active",
        HasLoginFilter,
    )
    search_fields = ("badge_no", "display_name", "email", "user__username")
    list_select_related = ("hall", "department", "user")
    actions = ("export_xlsx",)
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
            email=data.get("email", ""),
            is_active=data.get("is_active", True),
            username=data.get("username") or "",
            password=data.get("password1") or None,
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

    @admin.display(description=_("login account"), ordering="user__username")
    def account(self, obj: Staff) -> str:
        if obj.pk and obj.user_id:
            return obj.user.get_username()
        return gettext("no login") if obj.pk else "-"

    @admin.action(description=_("Export selected staff to Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return xlsx_response(queryset, writer=write_staff_xlsx, prefix="staff")

    def get_urls(self):
        password = self.admin_site.admin_view(self.password_view)
        login = self.admin_site.admin_view(self.login_view)
        upload = self.admin_site.admin_view(
            lambda request: import_view(self, request, STAFF_IMPORT)
        )
        job = self.admin_site.admin_view(
            lambda request, pk: import_job_view(self, request, STAFF_IMPORT, pk)
        )
        return [
            path("import/", upload, name="windows_staff_import"),
            path("import/jobs/<int:pk>/", job, name="windows_staff_import_job"),
            path("<path:object_id>/password/", password, name="windows_staff_password"),
            path("<path:object_id>/login/", login, name="windows_staff_login"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_staff": request.user.has_perms(STAFF_IMPORT.permissions),
        }
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user")

    def may_set_password(self, request: HttpRequest, staff: Staff) -> bool:
        if staff.user_id is None or not self.has_change_permission(request, staff):
            return False
        # An account with admin access is the system administrator's to manage.
        admin_account = staff.user.is_staff or staff.user.is_superuser
        return request.user.is_superuser or not admin_account

    def may_give_login(self, request: HttpRequest, staff: Staff) -> bool:
        return staff.user_id is None and self.has_change_permission(request, staff)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_set_password"] = obj is not None and self.may_set_password(request, obj)
        context["can_give_login"] = obj is not None and self.may_give_login(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _staff_or_404(self, request: HttpRequest, object_id: str) -> Staff:
        staff = self.get_object(request, unquote(object_id))
        if staff is None:
            raise Http404(gettext("No such staff member."))
        return staff

    def login_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Give a badge card without one a login account: a username and a first password."""
        staff = self._staff_or_404(request, object_id)
        if not self.may_give_login(request, staff):
            raise PermissionDenied
        if request.method == "POST":
            form = StaffLoginForm(request.POST)
            if form.is_valid():
                staff_login_create(
                    staff=staff,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                self.log_change(
                    request,
                    staff,
                    gettext("Gave the badge card the login account %(username)s.")
                    % {"username": staff.user.get_username()},
                )
                messages.success(
                    request,
                    gettext("%(staff)s can now sign in as %(username)s.")
                    % {"staff": staff, "username": staff.user.get_username()},
                )
                return HttpResponseRedirect(reverse("admin:windows_staff_change", args=[staff.pk]))
        else:
            form = StaffLoginForm()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Give a login: %(staff)s") % {"staff": staff},
            "opts": self.opts,
            "original": staff,
            "form": form,
        }
        return TemplateResponse(request, "admin/windows/staff/give_login.html", context)

    def password_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Set a new password for the account of one of the manager's staff."""
        staff = self._staff_or_404(request, object_id)
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
