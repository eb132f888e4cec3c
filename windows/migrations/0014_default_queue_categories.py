"""Every existing hall gets the default business categories (windows.queue.defaults)."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from windows.queue.defaults import default_categories_create

    Hall = apps.get_model("windows", "Hall")
    tables = {name: apps.get_model("windows", name) for name in ("QueueCategory", "Zone", "Window")}
    for hall in Hall.objects.all():
        default_categories_create(hall=hall, models=tables)


class Migration(migrations.Migration):
    dependencies = [("windows", "0013_queue")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
