"""Recompute the daily rollups: a visit's waiting time now runs from its ticket's issue to
its call (叫号), to the start of service only when the call time is unknown
(evaluations.rollups.WAIT). The stored wait sums followed the old rule (issue to start of
service); this rebuild, the same as `manage.py rebuild_rollups`, makes them follow the new
one, on this migration's historical models."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from evaluations.rollups import Tables, rollups_rebuild

    rollups_rebuild(
        tables=Tables(
            visit=apps.get_model("windows", "Visit"),
            visit_item=apps.get_model("windows", "VisitItem"),
            window=apps.get_model("windows", "Window"),
            daily=apps.get_model("evaluations", "DailyFigures"),
            daily_item=apps.get_model("evaluations", "DailyItemFigures"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0012_rollup_keys_unique_on_both_databases"),
        ("windows", "0013_queue"),
    ]

    # Backwards: the rows stay as they are (the old rule's code is gone; a rebuild with
    # the code of that time gives them back).
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
