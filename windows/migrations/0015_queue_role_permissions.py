from django.db import migrations


def sync_groups(apps, schema_editor):
    from windows.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Managers configure the queue (business categories, appointment slots, the hall's
    screens) and read the appointments; supervisors read them."""

    dependencies = [("windows", "0014_booking_missed_appointments_beat_schedule")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
