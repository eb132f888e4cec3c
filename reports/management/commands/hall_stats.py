"""`hall_stats --hall CODE --year YYYY [--json]`: the year's volume figures (contracts.md §3)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.api import MAX_YEAR, MIN_YEAR, parse_year
from reports.selectors.volume import hall_volume_stats
from windows.models import Hall

HEADINGS = ("月 month", "办件量", "接待人次", "上年", "环比%", "通办占比%")


def _show(value) -> str:
    return "-" if value is None else str(value)


class Command(BaseCommand):
    help = "Print a hall's volume figures of a year (items, visits, business days, months)."

    def add_arguments(self, parser):
        parser.add_argument("--hall", required=True, help="the hall's code")
        parser.add_argument("--year", required=True, help="the year, e.g. 2020")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        hall = Hall.objects.filter(code=options["hall"]).first()
        if hall is None:
            raise CommandError(_("Unknown hall: %(code)s") % {"code": options["hall"]})
        year = parse_year(options["year"])
        if year is None:
            raise CommandError(
                _("Bad year %(year)s: give 4 digits from %(min)s to %(max)s.")
                % {"year": options["year"], "min": MIN_YEAR, "max": MAX_YEAR}
            )
        stats = hall_volume_stats(hall=hall, year=year)
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False))
            return
        self.stdout.write(self._table(stats))

    def _table(self, stats: dict) -> str:
        peak = stats["peak_day"]
        lines = [
            f"{stats['hall']} {stats['year']}",
            f"办件量 items: {stats['items_total']}",
            f"接待人次 visits: {stats['visits_total']}",
            f"工作日 business days: {stats['business_days']}",
            f"日均办件量 daily average: {_show(stats['daily_average_items'])}",
            f"上年办件量 previous year: {_show(stats['previous_year_items_total'])}",
            f"同比 year on year %: {_show(stats['yoy_change_pct'])}",
            f"峰值日 peak day: {peak['date']} {peak['items']}" if peak else "峰值日 peak day: -",
            f"评价率 evaluation rate %: {_show(stats['evaluation_rate_pct'])}",
            f"满意率 satisfaction rate %: {_show(stats['satisfaction_rate_pct'])}",
            "",
            " ".join(f"{title:>8}" for title in HEADINGS),
        ]
        for month in stats["months"]:
            lines.append(
                f"{month['month']:>8} {month['items']:>8} {month['visits']:>8} "
                f"{_show(month['previous_year_items']):>8} {_show(month['mom_change_pct']):>8} "
                f"{_show(month['general_share_pct']):>8}"
            )
        return "\n".join(lines)
