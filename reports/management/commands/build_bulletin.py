"""build_bulletin: build (or rebuild) a hall's bulletin of the period containing a date,
or with --region instead of --hall, a region's monthly bulletin (the halls side by side),
as the beat jobs do.

Exit 0 on success; 1 with a one-line reason (unknown hall or region, bad kind, bad date,
no data, a failed email) (contracts.md section 6).
"""

from __future__ import annotations

import datetime as dt
import shutil

from django.core.management.base import BaseCommand, CommandError

from reports.models import Bulletin
from reports.regional.services import (
    RegionalBulletinNoHalls,
    regional_bulletin_build,
    regional_bulletin_send,
)
from reports.services import BulletinNoData, bulletin_build, bulletin_send
from windows.models import Hall, Region


class Command(BaseCommand):
    help = (
        "Build (or rebuild) a hall's daily, weekly or monthly bulletin, or a region's monthly "
        "one, optionally email it."
    )

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--hall", help="hall code")
        target.add_argument(
            "--region", help="region code: the region's monthly bulletin (--kind monthly)"
        )
        parser.add_argument("--kind", required=True, help="daily, weekly or monthly")
        parser.add_argument("--date", required=True, help="a day of the period, YYYY-MM-DD")
        parser.add_argument("--output", help="also write the workbook to this .xlsx file")
        parser.add_argument(
            "--email", action="store_true", help="email the recipients not served yet"
        )

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        if kind not in Bulletin.Kind.values:
            raise CommandError(f"Bad kind {kind!r}: use daily, weekly or monthly.", returncode=1)
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(
                f"Bad date {options['date']!r}: use YYYY-MM-DD.", returncode=1
            ) from None
        if options["region"] is not None:
            self._region_bulletin(options["region"], kind, day, options)
            return
        hall = Hall.objects.filter(code=options["hall"]).first()
        if hall is None:
            raise CommandError(f"Unknown hall {options['hall']!r}.", returncode=1)
        try:
            bulletin = bulletin_build(hall=hall, kind=kind, day=day)
        except BulletinNoData as reason:
            raise CommandError(f"No data: {reason}", returncode=1) from None
        self.stdout.write(
            f"Bulletin {bulletin.pk}: {hall.code} {kind} "
            f"{bulletin.period_start:%Y-%m-%d}..{bulletin.period_end:%Y-%m-%d}"
        )
        self._deliver(bulletin, bulletin_send, options)

    def _region_bulletin(self, code: str, kind: str, day: dt.date, options) -> None:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"Unknown region {code!r}.", returncode=1)
        if kind != Bulletin.Kind.MONTHLY:
            raise CommandError(
                f"Bad kind {kind!r} for a region: its bulletin is monthly.", returncode=1
            )
        try:
            bulletin = regional_bulletin_build(region=region, day=day)
        except RegionalBulletinNoHalls as reason:
            raise CommandError(f"No data: {reason}", returncode=1) from None
        self.stdout.write(
            f"Regional bulletin {bulletin.pk}: {region.code} monthly "
            f"{bulletin.period_start:%Y-%m-%d}..{bulletin.period_end:%Y-%m-%d}"
        )
        self._deliver(bulletin, regional_bulletin_send, options)

    def _deliver(self, bulletin, send, options) -> None:
        """--output copies the stored workbook; --email sends it to whom it has not reached."""
        if options["output"]:
            with bulletin.workbook.open("rb") as source, open(options["output"], "wb") as target:
                shutil.copyfileobj(source, target)
            self.stdout.write(f"Workbook written to {options['output']}")
        if options["email"]:
            try:
                sent = send(bulletin=bulletin)
            except OSError as error:
                raise CommandError(f"Email failed: {error}", returncode=1) from None
            self.stdout.write(f"Emails sent: {sent}")
