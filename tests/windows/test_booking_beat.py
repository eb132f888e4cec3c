"""Misses are marked by a beat job every 30 minutes, scheduled by a migration."""

import datetime as dt
import importlib

from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tests.windows.factories import SHANGHAI
from windows.booking.tasks import mark_missed_appointments
from windows.models import Appointment, AppointmentSlot, QueueCategory

migration = importlib.import_module(
    "windows.migrations.0014_booking_missed_appointments_beat_schedule"
)


def test_the_job_is_scheduled_every_30_minutes_shanghai_time(db):
    task = PeriodicTask.objects.select_related("crontab").get(
        name="windows: mark missed appointments"
    )

    assert task.task == mark_missed_appointments.name
    assert task.enabled is True
    schedule = task.crontab
    assert (schedule.minute, schedule.hour, str(schedule.timezone)) == (
        "*/30",
        "*",
        "Asia/Shanghai",
    )


def test_running_the_migration_again_creates_no_duplicate(db):
    tasks, crontabs = PeriodicTask.objects.count(), CrontabSchedule.objects.count()

    migration.schedule(apps, None)

    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == (tasks, crontabs)


def test_the_task_marks_ended_bookings_missed(hall_a):
    category = QueueCategory.objects.create(hall=hall_a, name="社保通办", prefix="A")
    slot = AppointmentSlot.objects.create(
        category=category, starts_at=dt.time(9, 0), ends_at=dt.time(9, 30)
    )
    ended = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    for number, ends_at in enumerate([ended, dt.datetime(2999, 1, 1, tzinfo=SHANGHAI)]):
        Appointment.objects.create(
            hall=hall_a,
            category=category,
            slot=slot,
            day=ends_at.date(),
            starts_at=ends_at - dt.timedelta(minutes=30),
            ends_at=ends_at,
            name="张三",
            phone="13812345678",
            id_last4="1234",
            code=f"CODE{number:04d}",
        )

    assert mark_missed_appointments.delay().get() == 1
    assert sorted(Appointment.objects.values_list("status", flat=True)) == ["booked", "missed"]


def test_the_migration_can_be_reversed(db):
    migration.unschedule(apps, None)
    assert not PeriodicTask.objects.filter(name="windows: mark missed appointments").exists()
    migration.schedule(apps, None)
    assert PeriodicTask.objects.filter(name="windows: mark missed appointments").count() == 1
