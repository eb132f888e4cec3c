"""The visits import on the admin's 办理记录 page: the windows app's read-only visit admin,
registered again with the upload page of this app (which writes visits, ratings and cases)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import path
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from windows.admin.forms import WindowsImportForm
from windows.admin.imports import ImportPage, import_job_view, import_options, import_view
from windows.admin.visits import VisitAdmin
from windows.models import Hall, Visit


class VisitsImportForm(WindowsImportForm):
    hall = forms.ModelChoiceField(
        label=_("Hall"),
        queryset=Hall.objects.none(),
        required=False,
        help_text=_("Every row belongs to this hall (the file then needs no hall code column)."),
    )
    create_missing = forms.BooleanField(
        label=_("Create missing windows, service items and staff badges"),
        required=False,
        help_text=_(
            "Unknown window numbers become specialist windows, unknown service codes are "
            "added to the catalogue and unknown staff badges become badge cards without a "
            "login (named by their badge until edited), instead of being rejected."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["hall"].queryset = (
            Hall.objects.for_granted_halls(user) if user else Hall.objects.none()
        )
        self.fields["file"].help_text = _(
            "A .csv (UTF-8) or .xlsx file, one row per visit, with the columns of the visits "
            "import."
        )
        self.order_fields(["file", "hall", "create_missing", "dry_run"])


def visits_import_options(data: dict) -> dict:
    hall = data.get("hall")
    return {**import_options(data), "hall_code": hall.code if hall else None}


VISITS_IMPORT = ImportPage(
    title=gettext_lazy("Import visits"),
    introduction=gettext_lazy(
        "The queue system's export, one row per visit. Columns (English or Chinese headers): "
        "hall_code 大厅编码, ticket_no 排队号, issued_at 取号时间, called_at 叫号时间, started_at "
        "开始办理时间, finished_at 办结时间, window_no 窗口号, staff_badge 工号, service_codes "
        "业务编码, status 状态 (completed/transferred/no_show or 办结/转办/过号), "
        "rating 评价 (1-5), rated_at 评价时间. Times are YYYY-MM-DD HH:MM:SS, hall local "
        "time. A visit already stored is left unchanged, so the same file can be imported "
        "again safely."
    ),
    form_class=VisitsImportForm,
    permissions=("windows.add_visit",),
    kind="visits",
    options=visits_import_options,
    url_name="windows_visit_import",
    done=gettext_lazy("Visits imported: %(summary)s."),
    done_with_rejections=gettext_lazy("Visits imported with rejected rows: %(summary)s."),
)


class VisitWithImportAdmin(VisitAdmin):
    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_view(self, request, VISITS_IMPORT))
        job = self.admin_site.admin_view(
            lambda request, pk: import_job_view(self, request, VISITS_IMPORT, pk)
        )
        return [
            path("import/", view, name="windows_visit_import"),
            path("import/jobs/<int:pk>/", job, name="windows_visit_import_job"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_visits": request.user.has_perms(VISITS_IMPORT.permissions),
        }
        return super().changelist_view(request, extra_context)


admin.site.unregister(Visit)
admin.site.register(Visit, VisitWithImportAdmin)
