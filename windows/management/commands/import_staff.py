"""`manage.py import_staff FILE [--hall CODE] [--dry-run]` (contracts.md section 4a)."""

from windows.importing import staff_import
from windows.importing.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a hall's staff (badge cards) from a .csv or .xlsx file (one row per staff "
        "member). Prints one line per rejected row and a summary; exits 1 if any row was "
        "rejected."
    )

    def add_arguments(self, parser):
        self.add_file_arguments(parser)

    def handle(self, *args, file, hall, dry_run, **options):
        self.run_import(staff_import, file, dry_run=dry_run, hall_code=hall)
