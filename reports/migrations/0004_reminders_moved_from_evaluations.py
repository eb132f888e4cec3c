"""The daily reminders' record (ReminderSent), moved from evaluations with its table, and
their job in django-celery-beat's schedule renamed to the task's new module.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations
from django.db import models
from django.utils import timezone
from hall.app_move import move_content_types


OLD = ("evaluations: daily reminders", "evaluations.tasks.send_daily_reminders")
NEW = ("reports: daily reminders", "reports.tasks.send_daily_reminders")


def _rename(apps, source, target):
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    if task_model.objects.filter(name=target[0]).exists():
        return
    changed = task_model.objects.filter(name=source[0]).update(name=target[0], task=target[1])
    if changed:
        # Tell a running beat to reload its schedule, as PeriodicTasks.changed() would.
        apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
            ident=1, defaults={"last_update": timezone.now()}
        )


def rename_reminders_job(apps, schema_editor):
    """The schedule a manager may have changed (time, enabled) is kept; only names change."""
    _rename(apps, OLD, NEW)


def restore_reminders_job(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('evaluations', '0008_cases_and_rectification_move_out'),
        ('reports', '0003_role_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are, rows and all: only Django's state moves.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReminderSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'reminder sent',
                        'verbose_name_plural': 'reminders sent',
                        'db_table': 'evaluations_remindersent',
                        'constraints': [models.UniqueConstraint(fields=('user', 'day'), name='one_reminder_a_day')],
                    },
                ),
            ],
        ),
        move_content_types(old="evaluations", new="reports", models=["remindersent"]),
        migrations.RunPython(rename_reminders_job, restore_reminders_job),
    ]
