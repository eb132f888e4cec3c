"""`manage.py import_visits FILE [--hall CODE] [--create-missing] [--dry-run]` (contracts.md
section 2)."""

from imports.visits import visits_import
from windows.importing.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the queue system's visits from a .csv or .xlsx file (one row per visit). "
        "Prints one line per rejected row and a summary; exits 1 if any row was rejected."
    )

    def add_arguments(self, parser):
        self.add_file_arguments(parser)
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown windows (as specialist windows), unknown service codes "
            "(as unpublished service items) and unknown staff badges (as badge cards without "
            "a login, named by their badge)",
        )

    def handle(self, *args, file, hall, create_missing, dry_run, **options):
        self.run_import(
            visits_import,
            file,
            dry_run=dry_run,
            hall_code=hall,
            create_missing=create_missing,
            read_in_child=True,  # a command is a process with one thread: it may fork
        )
