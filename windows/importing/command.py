"""What the import commands share: open the file, import, print, exit 1 on rejected rows."""

import sys
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from .results import ImportFileError, ImportResult


class ImportCommand(BaseCommand):
    def add_file_arguments(self, parser, *, hall: bool = True) -> None:
        """FILE, `--hall CODE` (unless the import has no hall column) and `--dry-run`."""
        parser.add_argument("file", help="the .csv or .xlsx file")
        if hall:
            parser.add_argument(
                "--hall",
                metavar="CODE",
                help="the hall of every row (the file then needs no hall_code column)",
            )
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def run_import(
        self, importer: Callable[..., ImportResult], file: str, *, dry_run: bool, **options
    ) -> None:
        """Print one `row N: reason` line per rejected row, the result's notes (e.g. the
        historical bad reviews), then the summary (contracts.md)."""
        path = Path(file)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise CommandError(
                _("cannot open %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror}
            ) from None
        with stream:
            try:
                result = importer(file=stream, filename=path.name, dry_run=dry_run, **options)
            except ImportFileError as exc:
                raise CommandError(f"{file}: {exc}") from None
        for error in result.errors:
            self.stdout.write(str(error))
        for note in result.notes:
            self.stdout.write(note)
        if dry_run:
            self.stdout.write(_("dry run: nothing was saved"))
        self.stdout.write(result.summary)
        if result.rejected:
            sys.exit(1)
