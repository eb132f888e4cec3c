from django.db import migrations


def grant_permissions(apps, schema_editor):
    from windows.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_bulletin_beat_schedule"),
    ]

    operations = [
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
