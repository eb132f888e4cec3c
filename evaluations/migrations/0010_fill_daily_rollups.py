"""Fill the daily rollups from the visits already stored, so that an upgraded portal's
statistics read them at once (the same rule as `manage.py rebuild_rollups`, on this
migration's historical models)."""

from django.db import migrations


def fill(apps, schema_editor):
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


def empty(apps, schema_editor):
    apps.get_model("evaluations", "DailyItemFigures").objects.all().delete()
    apps.get_model("evaluations", "DailyFigures").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0009_daily_rollups")]

    operations = [migrations.RunPython(fill, empty)]
