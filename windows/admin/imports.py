"""Imports as upload pages of the admin: windows (contracts.md section 4) and visits (section 2).

One page serves both: the manager uploads a file, sees the summary and every rejected row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from windows.admin.forms import WindowsImportForm
from windows.importing import ImportFileError, ImportResult, windows_import


# The page lists this many rejected rows and counts the rest (a bad file of 300,000 rows
# must not become a page of hundreds of MB); the command prints them all.
ERRORS_SHOWN = 200


@dataclass(frozen=True)
class ImportPage:
    title: Promise
    introduction: Promise
    form_class: type[forms.Form]
    permissions: tuple[str, ...]
    run: Callable[..., ImportResult]  # (upload, cleaned_data, user) -> ImportResult
    done: Promise  # message with %(summary)s
    done_with_rejections: Promise


def run_windows_import(upload, data: dict, user) -> ImportResult:
    return windows_import(
        file=upload,
        filename=upload.name,
        create_missing=data["create_missing"],
        dry_run=data["dry_run"],
        user=user,
    )


WINDOWS_IMPORT = ImportPage(
    title=gettext_lazy("Import windows"),
    introduction=gettext_lazy(
        "One row per window. Columns (English or Chinese headers): hall_code 大厅编码, "
        "hall_name 大厅名称, window_no 窗口号, window_name 窗口名称, zone 片区, department "
        '进驻部门, service_codes 业务编码 (codes separated by ";"). Importing the same file '
        "again updates the windows and never duplicates them."
    ),
    form_class=WindowsImportForm,
    # An import creates windows and changes existing ones.
    permissions=("windows.add_window", "windows.change_window"),
    run=run_windows_import,
    done=gettext_lazy("Windows imported: %(summary)s."),
    done_with_rejections=gettext_lazy("Windows imported with rejected rows: %(summary)s."),
)


def import_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, page: ImportPage
) -> HttpResponse:
    """Upload a file; show the summary and every rejected row.

    A clean import (not a dry run, no rejected row) goes back to the list with a success
    message; anything else stays on the page so the manager sees the rows. The result's
    notes (how many bad reviews were historical) come as messages of their own.
    """
    if not request.user.has_perms(page.permissions):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = page.form_class(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = page.run(upload, form.cleaned_data, request.user)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                for note in result.notes:
                    messages.info(request, note)
                if result.dry_run:
                    messages.info(
                        request,
                        _("Dry run, nothing was stored: %(summary)s.")
                        % {"summary": result.summary},
                    )
                elif result.rejected:
                    messages.warning(
                        request, page.done_with_rejections % {"summary": result.summary}
                    )
                else:
                    messages.success(request, page.done % {"summary": result.summary})
                    opts = model_admin.model._meta
                    return HttpResponseRedirect(
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                    )
    else:
        form = page.form_class(user=request.user)

    context = {
        **model_admin.admin_site.each_context(request),
        "title": page.title,
        "introduction": page.introduction,
        "opts": model_admin.model._meta,
        "form": form,
        "result": result,
        "shown_errors": result.errors[:ERRORS_SHOWN] if result else [],
        "errors_not_shown": max(len(result.errors) - ERRORS_SHOWN, 0) if result else 0,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/windows/import.html", context)
