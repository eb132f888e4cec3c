"""Helpers of the migrations that moved models between apps, keeping tables and rows.

The models moved with SeparateDatabaseAndState: the tables keep their names (Meta.db_table)
and their rows. What else names the app is moved here: the content types (so permissions,
the role groups' grants and the admin's history follow the models) and, for a task, the
name stored in django-celery-beat's schedule.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import migrations


def move_content_types(*, old: str, new: str, models: Iterable[str]) -> migrations.RunPython:
    """Re-label the content types of `models` from app `old` to app `new` (and back on
    reverse). A content type the new app has already is left alone, with its old twin."""
    models = tuple(models)

    def relabel(source: str, target: str):
        def run(apps, schema_editor):
            content_type = apps.get_model("contenttypes", "ContentType")
            taken = set(
                content_type.objects.filter(app_label=target, model__in=models).values_list(
                    "model", flat=True
                )
            )
            content_type.objects.filter(app_label=source, model__in=models).exclude(
                model__in=taken
            ).update(app_label=target)

        return run

    return migrations.RunPython(relabel(old, new), relabel(new, old))


def sync_role_groups() -> migrations.RunPython:
    """The role groups get exactly their permissions again, under the new app labels."""

    def run(apps, schema_editor):
        from windows.roles import sync_role_groups as sync

        sync(apps)

    return migrations.RunPython(run, migrations.RunPython.noop)
