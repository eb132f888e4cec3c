"""Thin Celery tasks of the windows app."""

from __future__ import annotations

from celery import shared_task

from windows.booking.tasks import mark_missed_appointments  # noqa: F401 (the worker loads it)
from windows.services import visits_abandon_stale


@shared_task(name="windows.tasks.close_abandoned_visits")
def close_abandoned_visits() -> int:
    """Close the visits left in service on an earlier day of their hall (nightly)."""
    return visits_abandon_stale()


@shared_task(bind=True, name="windows.tasks.run_import_job")
def run_import_job(self, job_id: int) -> bool:
    """Import an uploaded file in the background; its page reads the rows read so far."""
    from windows.importing.jobs import import_job_run

    def report(rows: int) -> None:
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"rows": rows})

    return import_job_run(job_id, task_id=self.request.id or "", on_progress=report)
