"""`manage.py import_windows FILE [--create-missing] [--dry-run]` (contracts.md section 4)."""

from windows.importing import windows_import
from windows.importing.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a hall's windows from a .csv or .xlsx file (one row per window). "
        "Prints one line per rejected row and a summary; exits 1 if any row was rejected."
    )

    def add_arguments(self, parser):
        self.add_file_arguments(parser, hall=False)
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown service codes as unpublished service items",
        )

    def handle(self, *args, file, create_missing, dry_run, **options):
        self.run_import(windows_import, file, dry_run=dry_run, create_missing=create_missing)
