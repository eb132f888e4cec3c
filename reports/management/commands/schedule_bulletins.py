"""`python manage.py schedule_bulletins --kind daily [--date YYYY-MM-DD] [--in-seconds N]`.

Asks the running beat to build (and email) every hall's bulletin of the period containing
the date once, N seconds from now: a catch-up of a missed run, done by the same beat job
as the regular schedule. `make run` uses it for yesterday's daily bulletin of the demo.
"""

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import ClockedSchedule, PeriodicTask

from reports.models import BulletinKind
from windows.rules.hall_time import hall_localdate, hall_localtime

TASK = "reports.tasks.build_bulletins"


class Command(BaseCommand):
    help = "Have beat build every hall's bulletin of one period once, shortly."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=BulletinKind.values)
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="default: yesterday")
        parser.add_argument("--in-seconds", type=int, default=20)

    def handle(self, *args, kind: str, date: str | None, in_seconds: int, **options):
        day = self._day(date)
        when = timezone.now() + timedelta(seconds=in_seconds)
        PeriodicTask.objects.update_or_create(
            name=f"reports: {kind} bulletins of {day.isoformat()} (once)",
            defaults={
                "task": TASK,
                "clocked": ClockedSchedule.objects.create(clocked_time=when),
                "one_off": True,
                "enabled": True,
                "kwargs": json.dumps({"kind": kind, "day": day.isoformat()}),
                "crontab": None,
                "interval": None,
                "solar": None,
            },
        )
        self.stdout.write(
            _("Beat will build the %(kind)s bulletins of %(day)s at %(time)s.")
            % {
                "kind": kind,
                "day": day.isoformat(),
                "time": hall_localtime(None, when).strftime("%H:%M:%S"),
            }
        )

    @staticmethod
    def _day(text: str | None) -> date:
        if text is None:  # one day for every hall: the installation's yesterday
            return hall_localdate(None) - timedelta(days=1)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(_("Bad date %(date)s: use YYYY-MM-DD.") % {"date": text}) from None
