"""Thin Celery tasks of the windows app."""

from __future__ import annotations

from celery import shared_task

from windows.services import visits_abandon_stale


@shared_task(name="windows.tasks.close_abandoned_visits")
def close_abandoned_visits() -> int:
    """Close the visits left in service on an earlier day of their hall (nightly)."""
    return visits_abandon_stale()
