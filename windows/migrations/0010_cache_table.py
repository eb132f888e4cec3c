"""The database cache's table (hall/settings/cache.py), so that no one runs createcachetable.

The embedded default keeps the shared cache (the tablet's throttle, the pairing-code
limits) in the portal's own database. This runs Django's createcachetable for every
configured DatabaseCache: it skips a table that exists already and does nothing when the
cache is Redis (CACHE_URL). A cache configured later gets its table at the next `migrate`
only if this has not run yet: run `manage.py createcachetable` then, as Django documents.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("windows", "0009_window_live_version"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True),
    ]
