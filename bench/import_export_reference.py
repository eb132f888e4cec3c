"""The reference a Django team would otherwise use: django-import-export, tuned as its
docs advise (use_bulk, batch_size 1000, skip_diff), on the same visits file.

It imports visits only: bulk mode cannot write the many-to-many items, nor ratings.
Usage (inside the project's environment, DATABASE_URL set):
    python bench/import_export_reference.py import FILE.csv
    python bench/import_export_reference.py export OUT.xlsx
"""

import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
django.setup()

import tablib  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from windows.models import Hall, Staff, Visit, Window  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")


class LocalDateTimeWidget(widgets.DateTimeWidget):
    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


class OfTheRowsHall(widgets.ForeignKeyWidget):
    """Window numbers and badges are unique per hall only."""

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.filter(hall__code=row["hall_code"])


class VisitResource(resources.ModelResource):
    hall = fields.Field("hall", "hall_code", widgets.ForeignKeyWidget(Hall, "code"))
    window = fields.Field("window", "window_no", OfTheRowsHall(Window, "number"))
    staff = fields.Field("staff", "staff_badge", OfTheRowsHall(Staff, "badge_no"))
    issued_at = fields.Field("issued_at", "issued_at", LocalDateTimeWidget())
    called_at = fields.Field("called_at", "called_at", LocalDateTimeWidget())
    started_at = fields.Field("started_at", "started_at", LocalDateTimeWidget())
    finished_at = fields.Field("finished_at", "finished_at", LocalDateTimeWidget())

    class Meta:
        model = Visit
        fields = (
            "hall", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
            "window", "staff", "status", "service_date", "item_count",
        )  # fmt: skip
        import_id_fields = ("hall", "ticket_no", "started_at")
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_unchanged = False

    def before_import_row(self, row, **kwargs):
        started = datetime.strptime(row["started_at"], "%Y-%m-%d %H:%M:%S")
        row["service_date"] = started.date().isoformat()
        row["item_count"] = len(row["service_codes"].split(";"))


def main() -> None:
    action, path = sys.argv[1], sys.argv[2]
    resource = VisitResource()
    if action == "import":
        with open(path, encoding="utf-8") as source:
            dataset = tablib.Dataset().load(source.read(), format="csv")
        result = resource.import_data(dataset, dry_run=False, raise_errors=True)
        print(f"import-export: {result.totals}")
    else:
        dataset = resource.export(Visit.objects.all())
        with open(path, "wb") as out:
            out.write(dataset.export("xlsx"))
        print(f"import-export: exported {len(dataset)} rows")


if __name__ == "__main__":
    main()
