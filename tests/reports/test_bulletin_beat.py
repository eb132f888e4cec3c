"""The three bulletin jobs are in django-celery-beat's schedule after migrate."""

import importlib
import json

import pytest
from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reports.tasks import build_bulletins

migration = importlib.import_module("reports.migrations.0002_bulletin_beat_schedule")


@pytest.mark.parametrize(
    ("name", "kind", "crontab"),
    [
        ("reports: daily bulletins", "daily", ("30", "18", "*", "*", "*")),
        ("reports: weekly bulletins", "weekly", ("0", "8", "1", "*", "*")),
        ("reports: monthly bulletins", "monthly", ("0", "8", "*", "1", "*")),
    ],
)
def test_the_bulletin_jobs_run_at_their_default_times_shanghai_time(db, name, kind, crontab):
    task = PeriodicTask.objects.select_related("crontab").get(name=name)

    assert task.task == "reports.tasks.build_bulletins" == build_bulletins.name
    assert task.enabled is True
    assert task.args == "[]"
    assert json.loads(task.kwargs) == {"kind": kind}
    schedule = task.crontab
    assert (
        schedule.minute,
        schedule.hour,
        schedule.day_of_week,
        schedule.day_of_month,
        schedule.month_of_year,
    ) == crontab
    assert str(schedule.timezone) == "Asia/Shanghai"


def test_running_the_migration_again_creates_no_duplicate(db):
    tasks_before = PeriodicTask.objects.count()
    crontabs_before = CrontabSchedule.objects.count()

    migration.schedule_bulletins(apps, None)
    migration.schedule_bulletins(apps, None)

    assert PeriodicTask.objects.count() == tasks_before
    assert CrontabSchedule.objects.count() == crontabs_before
    assert (
        PeriodicTask.objects.filter(
            name__startswith="reports: ", task="reports.tasks.build_bulletins"
        ).count()
        == 3
    )


def test_a_time_a_manager_changed_is_kept_by_the_migration(db):
    task = PeriodicTask.objects.get(name="reports: daily bulletins")
    later = CrontabSchedule.objects.create(
        minute="0",
        hour="19",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    task.crontab = later
    task.save()

    migration.schedule_bulletins(apps, None)

    assert PeriodicTask.objects.get(name="reports: daily bulletins").crontab_id == later.pk
