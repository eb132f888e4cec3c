from django.db import migrations


def grant_visit_permissions(apps, schema_editor):
    from windows.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("windows", "0003_visits"),
    ]

    operations = [
        migrations.RunPython(grant_visit_permissions, migrations.RunPython.noop),
    ]
