"""The reference a Django team would otherwise use: django-import-export 4.4 with every
tuning its docs give ("Bulk imports" → "Performance tuning"), on the same visits file.

- `use_bulk = True`, `batch_size = 1000` (the docs: None was always slower and bigger);
- `force_init_instance = True`: the import only creates (a fresh database), so no row
  looks its instance up (CachedInstanceLoader, the docs' choice when rows may update, is
  then never asked: `instance_loader_class` is left alone);
- `skip_diff = True` and `skip_html_diff = True`: no diff is computed or rendered;
- `use_transactions = True` (one transaction), `skip_unchanged = False` (nothing to
  compare), `report_skipped = False`, `store_instance = False`;
- foreign keys through cached widgets (the docs' caveat: ForeignKeyWidget reads the
  database for every row; "create a subclass which caches"): each hall's windows and
  staff are loaded into a dict once, and a number or badge not seen yet is created as
  `import_visits --create-missing` creates it (a specialist window, a card without a
  login named by its badge);
- times and dates parsed with fromisoformat instead of the widgets' strptime.

It imports the visits only: bulk mode "does not work with many-to-many relationships", so
the visits' items (and the ratings, another model per row) are not written; the ratio to
our import is therefore flattering to the reference.

Usage (inside the project's environment, DATABASE_URL set):
    python bench/import_export_reference.py import FILE.csv
    python bench/import_export_reference.py export OUT.xlsx
"""

import os
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
django.setup()

import tablib  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from windows.models import Hall, Staff, Visit, Window  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUSES = {"办结": "completed", "转办": "transferred", "过号": "no_show"}


class LocalDateTimeWidget(widgets.DateTimeWidget):
    """The file's local times (fromisoformat: strptime was a fifth of the profile)."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        return datetime.fromisoformat(value).replace(tzinfo=SHANGHAI)


class IsoDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        return date.fromisoformat(value) if value else None


class CachedHallWidget(widgets.ForeignKeyWidget):
    """The halls in a dict loaded once."""

    def __init__(self):
        super().__init__(Hall, "code")
        self.cache = None

    def clean(self, value, row=None, **kwargs):
        if self.cache is None:
            self.cache = {hall.code: hall for hall in Hall.objects.all()}
        return self.cache[value]


class CachedOfTheRowsHall(widgets.ForeignKeyWidget):
    """Window numbers and badges are unique per hall only: one dict per hall, loaded once;
    a missing one is created (as --create-missing does)."""

    def __init__(self, model, field, make):
        super().__init__(model, field)
        self.make = make
        self.cache: dict[str, dict] = {}

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        hall_code = row["hall_code"]
        known = self.cache.get(hall_code)
        if known is None:
            objects = self.model.objects.filter(hall__code=hall_code)
            known = self.cache[hall_code] = {str(getattr(o, self.field)): o for o in objects}
        found = known.get(value)
        if found is None:
            hall = Hall.objects.get(code=hall_code)
            found = known[value] = self.make(hall, value)
        return found


def _window(hall, number):
    return Window.objects.create(hall=hall, number=int(number), zone=None)


def _staff(hall, badge):
    return Staff.objects.create(hall=hall, badge_no=badge, display_name=badge)


class VisitResource(resources.ModelResource):
    hall = fields.Field("hall", "hall_code", CachedHallWidget())
    window = fields.Field("window", "window_no", CachedOfTheRowsHall(Window, "number", _window))
    staff = fields.Field("staff", "staff_badge", CachedOfTheRowsHall(Staff, "badge_no", _staff))
    issued_at = fields.Field("issued_at", "issued_at", LocalDateTimeWidget())
    called_at = fields.Field("called_at", "called_at", LocalDateTimeWidget())
    started_at = fields.Field("started_at", "started_at", LocalDateTimeWidget())
    finished_at = fields.Field("finished_at", "finished_at", LocalDateTimeWidget())
    service_date = fields.Field("service_date", "service_date", IsoDateWidget())

    class Meta:
        model = Visit
        fields = (
            "hall", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
            "window", "staff", "status", "service_date", "item_count",
        )  # fmt: skip
        import_id_fields = ("hall", "ticket_no", "started_at")
        use_bulk = True
        batch_size = 1000
        force_init_instance = True
        skip_diff = True
        skip_html_diff = True
        skip_unchanged = False
        report_skipped = False
        use_transactions = True
        store_instance = False

    def before_import_row(self, row, **kwargs):
        row["service_date"] = row["started_at"][:10]
        row["item_count"] = len(row["service_codes"].split(";"))
        row["status"] = STATUSES.get(row["status"], row["status"])


def main() -> None:
    action, path = sys.argv[1], sys.argv[2]
    resource = VisitResource()
    if action == "import":
        with open(path, encoding="utf-8-sig") as source:
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
