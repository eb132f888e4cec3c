"""Thin Celery task of the appointments: mark the bookings whose slot ended as missed.

Scheduled in django-celery-beat by migration windows/0014 (every 30 minutes); the miss
count also marks them itself before counting, so a stopped beat delays nothing.
"""

from __future__ import annotations

from celery import shared_task

from windows.booking.services import appointments_mark_missed

TASK_NAME = "windows.booking.tasks.mark_missed_appointments"


@shared_task(name=TASK_NAME)
def mark_missed_appointments() -> int:
    """Booked appointments not checked in by the end of their slot become missed."""
    return appointments_mark_missed()
