"""`python manage.py seed_demo`: load the demo hall LH01; running it again adds nothing."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from demo.catalogue import DEMO_PASSWORD, HALL_CODE, ROSTER_WEEKS
from demo.seed import SeedSummary, seed_demo
from windows.models import Hall
from windows.rules.hall_time import hall_localdate

MAX_SCALE = 5


class Command(BaseCommand):
    help = (
        "Load the demo hall: 23 windows in 3 zones and specialist windows, the service "
        "catalogue, staff with badges, four weeks of roster, a demo login per role and "
        "the visits of last year and this year at the source hall's scale. "
        "Creates only what is missing and never changes what is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Date whose week starts the roster (default: today in the hall's time zone).",
        )
        parser.add_argument(
            "--visits-since",
            metavar="YYYY-MM-DD",
            help="First day of demo visits (default: 1 January of the year before --today).",
        )
        parser.add_argument(
            "--no-visits", action="store_true", help="Load the hall without any visits."
        )
        parser.add_argument(
            "--region",
            action="store_true",
            help=(
                "Also load the demo region 六合区 (LHQ): the demo hall, a second smaller hall "
                "LH02 with its visits, and the regional manager login `regional`."
            ),
        )
        parser.add_argument(
            "--scale",
            default="1",
            metavar="FACTOR",
            help=(
                "Visits per day as a multiple of the source hall's (about 560 visits and "
                "830 items a business day); e.g. 0.1 for a quick, small demo. Default 1."
            ),
        )

    def handle(self, *args, **options) -> None:
        today = self._parse_date(options["today"], "--today") or self._hall_today()
        scale = self._parse_scale(options["scale"])
        visits_since = None
        if not options["no_visits"]:
            visits_since = self._parse_date(options["visits_since"], "--visits-since") or date(
                today.year - 1, 1, 1
            )
        summary = seed_demo(today=today, visits_since=visits_since, scale=scale)
        for line in self._summary_lines(summary):
            self.stdout.write(line, self.style.SUCCESS if summary.created_anything else None)
        if visits_since is not None:
            self.stdout.write(
                _(
                    "Visits from %(since)s to %(today)s: created %(created)d, "
                    "%(present)d already present."
                )
                % {
                    "since": visits_since.isoformat(),
                    "today": today.isoformat(),
                    "created": summary.visits.created,
                    "present": summary.visits.present,
                }
            )
        if options["region"]:
            self.stdout.write(self._region_line(today, visits_since, scale))
        self.stdout.write(
            _(
                "Demo logins use the password %(password)s (set only when a login is "
                "created); `python manage.py demo_logins` lists them."
            )
            % {"password": DEMO_PASSWORD}
        )

    @staticmethod
    def _region_line(today: date, visits_since: date | None, scale: float) -> str:
        from demo.region import REGION_CODE, REGIONAL_USERNAME, SECOND_HALL_CODE, seed_region

        region = seed_region(today=today, visits_since=visits_since, scale=scale)
        return _(
            "Demo region %(region)s: halls %(first)s and %(second)s (%(visits)d visits "
            "created at %(second)s); regional login %(user)s."
        ) % {
            "region": REGION_CODE,
            "first": HALL_CODE,
            "second": SECOND_HALL_CODE,
            "visits": region.visits_created,
            "user": REGIONAL_USERNAME,
        }

    @staticmethod
    def _hall_today() -> date:
        """Today in the demo hall's zone (the field's default zone before it exists)."""
        hall = Hall.objects.filter(code=HALL_CODE).first() or Hall(code=HALL_CODE)
        return hall_localdate(hall)

    @staticmethod
    def _parse_date(value: str | None, option: str) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                _("%(option)s: %(value)s is not a date YYYY-MM-DD.")
                % {"option": option, "value": value}
            ) from error

    @staticmethod
    def _parse_scale(value: str) -> float:
        try:
            scale = float(value)
        except ValueError:
            scale = -1.0
        if not 0 < scale <= MAX_SCALE:
            raise CommandError(
                _("--scale: %(value)s is not a number above 0 and at most %(max)s.")
                % {"value": value, "max": MAX_SCALE}
            )
        return scale

    @staticmethod
    def _summary_lines(summary: SeedSummary) -> list[str]:
        period = {
            "code": summary.hall_code,
            "start": summary.roster_start.isoformat(),
            "end": summary.roster_end.isoformat(),
        }
        if not summary.created_anything:
            return [
                _(
                    "Demo hall %(code)s: nothing new (already present: %(windows)d windows, "
                    "%(items)d service items, %(staff)d staff, %(entries)d roster entries "
                    "from %(start)s to %(end)s)."
                )
                % {
                    **period,
                    "windows": summary.windows.present,
                    "items": summary.service_items.present,
                    "staff": summary.staff.present,
                    "entries": summary.roster_entries.present,
                }
            ]
        line = _(
            "Demo hall %(code)s: created %(windows)d windows, %(items)d service items, "
            "%(staff)d staff, %(weeks)d weeks of roster (%(entries)d entries from %(start)s "
            "to %(end)s)."
        ) % {
            **period,
            "windows": summary.windows.created,
            "items": summary.service_items.created,
            "staff": summary.staff.created,
            "weeks": ROSTER_WEEKS,
            "entries": summary.roster_entries.created,
        }
        also = _(
            "Also created: %(hall)d hall, %(departments)d departments, %(zones)d zones, "
            "%(links)d window service items, %(logins)d demo logins."
        ) % {
            "hall": summary.hall.created,
            "departments": summary.departments.created,
            "zones": summary.zones.created,
            "links": summary.window_items.created,
            "logins": summary.logins.created,
        }
        return [line, also]
