"""`manage.py import_visits FILE [--hall CODE] [--create-missing] [--dry-run]` (contracts.md
section 2)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from windows.importing import ImportFileError, visits_import


class Command(BaseCommand):
    help = (
        "Import the queue system's visits from a .csv or .xlsx file (one row per visit). "
        "Prints one line per rejected row and a summary; exits 1 if any row was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument(
            "--hall",
            metavar="CODE",
            help="the hall of every row (the file then needs no hall_code column)",
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown windows (as specialist windows) and unknown service codes "
            "(as unpublished service items)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, file, hall, create_missing, dry_run, **options):
        path = Path(file)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise CommandError(
                _("cannot open %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror}
            ) from None
        with stream:
            try:
                result = visits_import(
                    file=stream,
                    filename=path.name,
                    hall_code=hall,
                    create_missing=create_missing,
                    dry_run=dry_run,
                )
            except ImportFileError as exc:
                raise CommandError(f"{file}: {exc}") from None
        for error in result.errors:
            self.stdout.write(str(error))
        if dry_run:
            self.stdout.write(_("dry run: nothing was saved"))
        self.stdout.write(result.summary)
        if result.rejected:
            sys.exit(1)
