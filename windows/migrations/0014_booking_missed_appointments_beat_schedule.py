"""The job that marks appointments not checked in by the end of their slot as missed, in
django-celery-beat's schedule: every 30 minutes (windows.booking.tasks)."""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "windows: mark missed appointments"
TASK = "windows.booking.tasks.mark_missed_appointments"
CRONTAB = {
    "minute": "*/30",
    "hour": "*",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "Asia/Shanghai",
}


def schedule(apps, schema_editor):
    """Idempotent: running it again finds the schedule and the task and adds nothing."""
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = crontab_model.objects.filter(**CRONTAB).order_by("pk").first()
    if crontab is None:
        crontab = crontab_model.objects.create(**CRONTAB)
    _task, created = task_model.objects.get_or_create(
        name=TASK_NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True}
    )
    if created:
        changed_model = apps.get_model("django_celery_beat", "PeriodicTasks")
        changed_model.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("windows", "0013_queue"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
