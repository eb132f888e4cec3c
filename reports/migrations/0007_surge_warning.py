"""The surge warning (issue 15.1): its settings and alerts, the check every 15 minutes in
django-celery-beat's schedule (the task itself skips closed days and hours), and the
managers' permissions on the settings (role groups synced)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TIMEZONE = "Asia/Shanghai"
JOB = "reports: surge warning"
TASK = "reports.surge.tasks.check_surges"


def schedule_check(apps, schema_editor):
    """Idempotent: a job that exists already is left as it is."""
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    fields = {
        "minute": "*/15",
        "hour": "*",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": TIMEZONE,
    }
    crontab = crontab_model.objects.filter(**fields).order_by("pk").first()
    if crontab is None:
        crontab = crontab_model.objects.create(**fields)
    _task, created = task_model.objects.get_or_create(
        name=JOB, defaults={"task": TASK, "crontab": crontab, "enabled": True}
    )
    if created:
        changed_model = apps.get_model("django_celery_beat", "PeriodicTasks")
        changed_model.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule_check(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB).delete()


def sync_roles(apps, schema_editor):
    from windows.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_reminder_claim"),
        ("windows", "0016_regions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="SurgeSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Every 15 minutes in opening hours.",
                        verbose_name="surge warning on",
                    ),
                ),
                (
                    "threshold",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text=(
                            "Items the hall can handle today; empty: the windows open today"
                            " × the items per window-day."
                        ),
                        null=True,
                        verbose_name="capacity threshold (items a day)",
                    ),
                ),
                (
                    "items_per_window_day",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text=(
                            "Empty: learnt from the hall's last 8 weeks (the 90th percentile"
                            " of its window-days)."
                        ),
                        null=True,
                        verbose_name="items per window-day",
                    ),
                ),
                (
                    "hall",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="surge_settings",
                        to="windows.hall",
                        verbose_name="hall",
                    ),
                ),
            ],
            options={
                "verbose_name": "surge warning settings",
                "verbose_name_plural": "surge warning settings",
            },
        ),
        migrations.CreateModel(
            name="SurgeAlert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("level", models.PositiveSmallIntegerField(verbose_name="level (percent of capacity)")),
                ("at", models.DateTimeField(verbose_name="raised at")),
                ("arrived", models.PositiveIntegerField(verbose_name="items arrived")),
                ("projected", models.PositiveIntegerField(verbose_name="projected items")),
                ("low", models.PositiveIntegerField(verbose_name="projection, lower bound")),
                ("high", models.PositiveIntegerField(verbose_name="projection, upper bound")),
                ("capacity", models.PositiveIntegerField(verbose_name="capacity")),
                (
                    "suggestion",
                    models.JSONField(blank=True, default=dict, verbose_name="suggestion"),
                ),
                (
                    "recipients",
                    models.JSONField(blank=True, default=list, verbose_name="recipients"),
                ),
                (
                    "claimed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
                ),
                (
                    "message_id",
                    models.CharField(blank=True, max_length=255, verbose_name="Message-ID"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "acknowledged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="acknowledged at"),
                ),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="acknowledged by",
                    ),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="surge_alerts",
                        to="windows.hall",
                        verbose_name="hall",
                    ),
                ),
            ],
            options={
                "verbose_name": "surge alert",
                "verbose_name_plural": "surge alerts",
                "ordering": ["-day", "level"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("hall", "day", "level"), name="surge_alert_once"
                    )
                ],
            },
        ),
        migrations.RunPython(schedule_check, unschedule_check),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
