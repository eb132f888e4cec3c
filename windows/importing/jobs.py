"""Imports run as background jobs: an admin upload too big for the request is stored, a
Celery task imports it, and the page follows the job until its result is there.

The importers register here by kind (windows registers its own in WindowsConfig.ready(),
the imports app the visits import in ImportsConfig.ready()): a runner takes the file, its
name, the page's options (JSON: hall_code, create_missing, dry_run) and the user.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from windows.models import ImportJob

from .progress import rows_reported_to
from .results import ROWS_LISTED, ImportFileError, ImportResult

Runner = Callable[..., ImportResult]  # (file, filename, options, user) -> ImportResult
RUNNERS: dict[str, Runner] = {}
# An upload at least this big runs as a job (bytes; settings.IMPORT_IN_BACKGROUND_FROM).
IN_BACKGROUND_FROM = 2 * 1024 * 1024


def register_runner(kind: str, runner: Runner) -> None:
    RUNNERS[kind] = runner


def run_import(kind: str, *, file: BinaryIO, filename: str, options: dict, user) -> ImportResult:
    return RUNNERS[kind](file=file, filename=filename, options=options, user=user)


def runs_in_background(upload) -> bool:
    return upload.size >= getattr(settings, "IMPORT_IN_BACKGROUND_FROM", IN_BACKGROUND_FROM)


def import_job_create(*, kind: str, upload, options: dict, user) -> ImportJob:
    """Store the upload and queue its import once the job is committed."""
    from windows.tasks import run_import_job

    if kind not in RUNNERS:
        raise ValueError(f"no importer registered for {kind!r}")
    job = ImportJob(
        kind=kind,
        user=user,
        filename=upload.name,
        options=options,
        dry_run=bool(options.get("dry_run")),
        language=translation.get_language() or "",  # the reasons come in the page's language
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def import_job_run(
    job_id: int, *, task_id: str = "", on_progress: Callable[[int], None] | None = None
) -> bool:
    """Run a queued job once (a redelivered task finds it claimed and does nothing); the
    stored upload is deleted when the job ends, whatever the outcome."""
    # A job still "running" longer than a task may run was left by a worker that died: its
    # import rolled back with it (one transaction), so it runs again from the start.
    stale = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(
        status=ImportJob.Status.RUNNING, started_at__lt=stale
    )
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), task_id=task_id
    )
    if not claimed:
        return False
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        with (
            job.file.open("rb") as file,
            rows_reported_to(on_progress or (lambda rows: None)),
            translation.override(job.language or None),
        ):
            result = run_import(
                job.kind, file=file, filename=job.filename, options=job.options, user=job.user
            )
    except ImportFileError as error:
        job.status, job.file_error = ImportJob.Status.FAILED, str(error)
    except Exception as error:
        job.status, job.file_error = ImportJob.Status.FAILED, f"{type(error).__name__}: {error}"
        raise
    else:
        job.status = ImportJob.Status.DONE
        job.summary, job.rejected = result.summary, result.rejected
        job.errors = [[error.row, error.reason] for error in result.errors[:ROWS_LISTED]]
        job.notes = result.note_codes  # put in words in the viewer's language
    finally:
        job.finished_at = timezone.now()
        job.file.delete(save=False)
        job.save()
    return True
