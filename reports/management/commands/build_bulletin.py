"""build_bulletin: build (or rebuild) a hall's bulletin of the period containing a date.

Exit 0 on success; 1 with a one-line reason (unknown hall, bad kind, bad date, no data,
a failed email) (contracts.md section 6).
"""

from __future__ import annotations

import datetime as dt
import shutil

from django.core.management.base import BaseCommand, CommandError

from reports.models import Bulletin
from reports.services import BulletinNoData, bulletin_build, bulletin_send
from windows.models import Hall


class Command(BaseCommand):
    help = "Build (or rebuild) a hall's daily, weekly or monthly bulletin, optionally email it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--hall", required=True, help="hall code")
        parser.add_argument("--kind", required=True, help="daily, weekly or monthly")
        parser.add_argument("--date", required=True, help="a day of the period, YYYY-MM-DD")
        parser.add_argument("--output", help="also write the workbook to this .xlsx file")
        parser.add_argument(
            "--email", action="store_true", help="email the recipients not served yet"
        )

    def handle(self, *args, **options) -> None:
        hall = Hall.objects.filter(code=options["hall"]).first()
        if hall is None:
            raise CommandError(f"Unknown hall {options['hall']!r}.", returncode=1)
        kind = options["kind"]
        if kind not in Bulletin.Kind.values:
            raise CommandError(f"Bad kind {kind!r}: use daily, weekly or monthly.", returncode=1)
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(
                f"Bad date {options['date']!r}: use YYYY-MM-DD.", returncode=1
            ) from None
        try:
            bulletin = bulletin_build(hall=hall, kind=kind, day=day)
        except BulletinNoData as reason:
            raise CommandError(f"No data: {reason}", returncode=1) from None
        self.stdout.write(
            f"Bulletin {bulletin.pk}: {hall.code} {kind} "
            f"{bulletin.period_start:%Y-%m-%d}..{bulletin.period_end:%Y-%m-%d}"
        )
        if options["output"]:
            with bulletin.workbook.open("rb") as source, open(options["output"], "wb") as target:
                shutil.copyfileobj(source, target)
            self.stdout.write(f"Workbook written to {options['output']}")
        if options["email"]:
            try:
                sent = bulletin_send(bulletin=bulletin)
            except OSError as error:
                raise CommandError(f"Email failed: {error}", returncode=1) from None
            self.stdout.write(f"Emails sent: {sent}")
