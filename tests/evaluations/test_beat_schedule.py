"""The daily reminders job is in django-celery-beat's schedule after migrate."""

import importlib

from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from evaluations.tasks import send_daily_reminders

migration = importlib.import_module("evaluations.migrations.0005_beat_schedule")


def test_the_daily_reminders_run_at_half_past_eight_shanghai_time(db):
    task = PeriodicTask.objects.select_related("crontab").get(name="evaluations: daily reminders")

    assert task.task == "evaluations.tasks.send_daily_reminders" == send_daily_reminders.name
    assert task.enabled is True
    assert task.args == "[]"
    assert task.kwargs == "{}"
    crontab = task.crontab
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_week,
        crontab.day_of_month,
        crontab.month_of_year,
    ) == ("30", "8", "*", "*", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"


def test_running_the_migration_again_creates_no_duplicate(db):
    tasks_before = PeriodicTask.objects.count()
    crontabs_before = CrontabSchedule.objects.count()

    migration.schedule_daily_reminders(apps, None)
    migration.schedule_daily_reminders(apps, None)

    assert PeriodicTask.objects.count() == tasks_before
    assert CrontabSchedule.objects.count() == crontabs_before
    assert PeriodicTask.objects.filter(name="evaluations: daily reminders").count() == 1


def test_the_migration_recreates_a_deleted_schedule(db):
    PeriodicTask.objects.filter(name="evaluations: daily reminders").delete()

    migration.schedule_daily_reminders(apps, None)

    task = PeriodicTask.objects.get(name="evaluations: daily reminders")
    assert task.crontab.hour == "8"
