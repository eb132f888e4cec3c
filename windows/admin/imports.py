"""The windows import as an upload page of the window admin (contracts.md section 4)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from windows.admin.forms import WindowsImportForm
from windows.importing import ImportFileError, windows_import

# An import creates windows and changes existing ones.
IMPORT_PERMISSIONS = ("windows.add_window", "windows.change_window")


def windows_import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload a windows file; show the summary and every rejected row.

    A clean import (not a dry run, no rejected row) goes back to the window list with a
    success message; anything else stays on the page so the manager sees the rows.
    """
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = WindowsImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = windows_import(
                    file=upload,
                    filename=upload.name,
                    create_missing=form.cleaned_data["create_missing"],
                    dry_run=form.cleaned_data["dry_run"],
                    user=request.user,
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                if result.dry_run:
                    messages.info(
                        request,
                        _("Dry run, nothing was stored: %(summary)s.")
                        % {"summary": result.summary},
                    )
                elif result.rejected:
                    messages.warning(
                        request,
                        _("Windows imported with rejected rows: %(summary)s.")
                        % {"summary": result.summary},
                    )
                else:
                    messages.success(
                        request, _("Windows imported: %(summary)s.") % {"summary": result.summary}
                    )
                    return HttpResponseRedirect(reverse("admin:windows_window_changelist"))
    else:
        form = WindowsImportForm()

    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import windows"),
        "opts": opts,
        "form": form,
        "result": result,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/windows/window/import.html", context)
