"""`python manage.py rebuild_rollups [--hall CODE] [--from YYYY-MM-DD] [--to YYYY-MM-DD]`.

Recompute the daily rollups (evaluations.models.rollups) from the visits, their items and
ratings, for every hall or one, over every day or a range: after data written outside the
portal's services (SQL by hand, a restored backup). Idempotent: a second run writes the
same rows. Prints `rollup rows: N (items: M)`, the rows written.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluations.rollups import rollups_rebuild
from windows.models import Hall


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(_("Bad date %(date)s: use YYYY-MM-DD.") % {"date": text}) from exc


class Command(BaseCommand):
    help = "Recompute the daily rollups of the statistics from the stored visits and ratings."

    def add_arguments(self, parser):
        parser.add_argument("--hall", metavar="CODE", help="only this hall (default: every hall)")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day")

    def handle(self, *args, hall=None, start=None, end=None, **options):
        hall_ids = None
        if hall is not None:
            found = Hall.objects.filter(code=hall).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(_("Unknown hall: %(code)s") % {"code": hall})
            hall_ids = [found]
        start = _day(start) if start is not None else None
        end = _day(end) if end is not None else None
        if start is not None and end is not None and start > end:
            raise CommandError(_("--from must not be after --to."))
        counts = rollups_rebuild(hall_ids=hall_ids, start=start, end=end)
        self.stdout.write(f"rollup rows: {counts.rows} (items: {counts.item_rows})")
