"""The bulletin jobs in django-celery-beat's schedule (Asia/Shanghai); managers change the
times in the admin. Also syncs the role groups, so they get the reports permissions."""

from django.db import migrations
from django.utils import timezone

TIMEZONE = "Asia/Shanghai"
JOBS = {
    "reports: daily bulletins": ("daily", {"minute": "30", "hour": "18", "day_of_week": "*",
                                           "day_of_month": "*"}),
    "reports: weekly bulletins": ("weekly", {"minute": "0", "hour": "8", "day_of_week": "1",
                                             "day_of_month": "*"}),
    "reports: monthly bulletins": ("monthly", {"minute": "0", "hour": "8", "day_of_week": "*",
                                               "day_of_month": "1"}),
}
TASK = "reports.tasks.build_bulletins"


def schedule_bulletins(apps, schema_editor):
    """Idempotent: a schedule or task that exists already is left as it is."""
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    created_any = False
    for name, (kind, fields) in JOBS.items():
        crontab_fields = {**fields, "month_of_year": "*", "timezone": TIMEZONE}
        crontab = crontab_model.objects.filter(**crontab_fields).order_by("pk").first()
        if crontab is None:
            crontab = crontab_model.objects.create(**crontab_fields)
        _task, created = task_model.objects.get_or_create(
            name=name,
            defaults={
                "task": TASK,
                "crontab": crontab,
                "kwargs": '{"kind": "%s"}' % kind,
                "enabled": True,
            },
        )
        created_any = created_any or created
    if created_any:
        # Tell a running beat to reload its schedule, as PeriodicTasks.changed() would.
        changed_model = apps.get_model("django_celery_beat", "PeriodicTasks")
        changed_model.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule_bulletins(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=JOBS).delete()


def sync_roles(apps, schema_editor):
    from windows.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_bulletins"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("evaluations", "0005_beat_schedule"),
    ]

    operations = [
        migrations.RunPython(schedule_bulletins, unschedule_bulletins),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
