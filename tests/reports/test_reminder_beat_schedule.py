"""The daily reminders job is in django-celery-beat's schedule after migrate, under the
task's module since the app split (reports.tasks), with the schedule a manager set kept."""

import importlib

from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reports.tasks import send_daily_reminders

scheduled = importlib.import_module("evaluations.migrations.0005_beat_schedule")
renamed = importlib.import_module("reports.migrations.0004_reminders_moved_from_evaluations")


def test_the_daily_reminders_run_at_half_past_eight_shanghai_time(db):
    task = PeriodicTask.objects.select_related("crontab").get(name="reports: daily reminders")

    assert task.task == "reports.tasks.send_daily_reminders" == send_daily_reminders.name
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
    assert not PeriodicTask.objects.filter(task__startswith="evaluations.").exists()


def test_the_rename_keeps_a_schedule_the_manager_changed(db):
    """A database of the release before the split: its job, disabled and moved to 09:00."""
    PeriodicTask.objects.filter(name="reports: daily reminders").delete()
    scheduled.schedule_daily_reminders(apps, None)
    old = PeriodicTask.objects.get(name="evaluations: daily reminders")
    nine = CrontabSchedule.objects.create(minute="0", hour="9", timezone="Asia/Shanghai")
    PeriodicTask.objects.filter(pk=old.pk).update(enabled=False, crontab=nine)

    renamed.rename_reminders_job(apps, None)
    renamed.rename_reminders_job(apps, None)  # again: nothing more changes

    task = PeriodicTask.objects.get(pk=old.pk)
    assert (task.name, task.task) == (
        "reports: daily reminders",
        "reports.tasks.send_daily_reminders",
    )
    assert (task.enabled, task.crontab_id) == (False, nine.pk)
    assert PeriodicTask.objects.filter(task__endswith="send_daily_reminders").count() == 1


def test_the_rename_goes_back_on_a_reverse_migration(db):
    renamed.restore_reminders_job(apps, None)

    task = PeriodicTask.objects.get(name="evaluations: daily reminders")
    assert task.task == "evaluations.tasks.send_daily_reminders"
