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
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from windows.admin.forms import WindowsImportForm
from windows.importing import ImportFileError
from windows.importing.jobs import import_job_create, run_import, runs_in_background
from windows.importing.results import ROWS_LISTED, SUMMARY_PATTERN
from windows.models import ImportJob


@dataclass(frozen=True)
class ImportPage:
    title: Promise
    introduction: Promise
    form_class: type[forms.Form]
    permissions: tuple[str, ...]
    kind: str  # its runner in windows.importing.jobs
    options: Callable[[dict], dict]  # the form's cleaned data -> the runner's JSON options
    url_name: str  # of the upload page; its job pages are f"{url_name}_job"
    done: Promise  # message with %(summary)s
    done_with_rejections: Promise


# An import's outcome, as Django's message levels (the admin's colours and icons): every row
# rejected is an error (red), some rejected a warning (amber), none a success (green).
ERROR, WARNING, SUCCESS = "error", "warning", "success"
LEVELS = {ERROR: messages.ERROR, WARNING: messages.WARNING, SUCCESS: messages.SUCCESS}
NOTHING_IMPORTED = gettext_lazy("Nothing was imported: every row was rejected (%(summary)s).")


def import_outcome(*, imported: int, unchanged: int, rejected: int) -> str:
    """error when every row was rejected, warning when some were, success otherwise."""
    if rejected and not (imported or unchanged):
        return ERROR
    return WARNING if rejected else SUCCESS


def job_outcome(job: ImportJob) -> str | None:
    """The outcome of a finished job from its stored summary; None before it is done."""
    if job.status == ImportJob.Status.FAILED:
        return ERROR
    found = SUMMARY_PATTERN.search(job.summary or "")
    if job.status != ImportJob.Status.DONE or found is None:
        return None
    imported, unchanged, rejected = (int(n) for n in found.groups())
    return import_outcome(imported=imported, unchanged=unchanged, rejected=rejected)


def import_options(data: dict) -> dict:
    """The options both uploads share, as JSON a background job can keep."""
    return {"create_missing": data["create_missing"], "dry_run": data["dry_run"]}


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
    kind="windows",
    options=import_options,
    url_name="windows_window_import",
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
            options = page.options(form.cleaned_data)
            if runs_in_background(upload):
                job = import_job_create(
                    kind=page.kind, upload=upload, options=options, user=request.user
                )
                return HttpResponseRedirect(reverse(f"admin:{page.url_name}_job", args=[job.pk]))
            try:
                result = run_import(
                    page.kind,
                    file=upload,
                    filename=upload.name,
                    options=options,
                    user=request.user,
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                for note in result.notes:
                    messages.info(request, note)
                outcome = import_outcome(
                    imported=result.imported, unchanged=result.unchanged, rejected=result.rejected
                )
                summary = {"summary": result.summary_display}
                if result.dry_run:
                    level = messages.INFO if outcome == SUCCESS else LEVELS[outcome]
                    messages.add_message(
                        request, level, _("Dry run, nothing was stored: %(summary)s.") % summary
                    )
                elif outcome == ERROR:
                    messages.error(request, NOTHING_IMPORTED % summary)
                elif outcome == WARNING:
                    messages.warning(request, page.done_with_rejections % summary)
                else:
                    messages.success(request, page.done % {"summary": result.summary_display})
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
        "outcome": (
            import_outcome(
                imported=result.imported, unchanged=result.unchanged, rejected=result.rejected
            )
            if result
            else None
        ),
        "rejected_rows": [(e.row, e.reason) for e in result.errors[:ROWS_LISTED]] if result else [],
        "errors_not_shown": max(len(result.errors) - ROWS_LISTED, 0) if result else 0,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/windows/import.html", context)


def import_job_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, page: ImportPage, pk: int
) -> HttpResponse:
    """A background import's page: queued, running (the rows read so far; the page reloads
    itself every few seconds, no script) or its result, as the upload page shows it."""
    if not request.user.has_perms(page.permissions):
        raise PermissionDenied
    jobs = ImportJob.objects.filter(kind=page.kind)
    if not request.user.is_superuser:
        jobs = jobs.filter(user=request.user)  # one's own uploads only
    job = get_object_or_404(jobs, pk=pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": page.title,
        "opts": model_admin.model._meta,
        "job": job,
        "outcome": job_outcome(job),
        "rows_read": job_rows_read(job),
        "upload_url": reverse(f"admin:{page.url_name}"),
        "errors_not_shown": max(job.rejected - len(job.errors), 0),
        "refresh_seconds": JOB_PAGE_REFRESH_SECONDS,
    }
    return TemplateResponse(request, "admin/windows/import_job.html", context)


JOB_PAGE_REFRESH_SECONDS = 3


def job_rows_read(job: ImportJob) -> int | None:
    """The rows a running job has read, from the task's progress in Celery's result store."""
    if job.status != ImportJob.Status.RUNNING or not job.task_id:
        return None
    from celery.result import AsyncResult

    result = AsyncResult(job.task_id)
    return (result.info or {}).get("rows") if result.state == "PROGRESS" else None
