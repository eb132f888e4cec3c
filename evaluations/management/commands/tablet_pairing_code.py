"""`python manage.py tablet_pairing_code --hall CODE --window N [--label TEXT]`.

The admin's "issue pairing code" from the command line, for an operator setting up tablets
(or trying the demo): prints the one-time code and the link to open on the tablet.
"""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.services.devices import tablet_issue_pairing_code
from windows.links import absolute_url
from windows.models import Window
from windows.rules.hall_time import hall_localtime


class Command(BaseCommand):
    help = "Issue a one-time pairing code for a new rating tablet at a window."

    def add_arguments(self, parser):
        parser.add_argument("--hall", required=True, metavar="CODE")
        parser.add_argument("--window", required=True, type=int, metavar="N")
        parser.add_argument("--label", default="")
        parser.add_argument(
            "--base-url",
            default="",
            help="the portal's address (default: the PORTAL_BASE_URL setting, "
            "http://127.0.0.1:$PORT when unset)",
        )

    def handle(self, *args, hall, window, label, base_url, **options):
        found = Window.objects.select_related("hall").filter(hall__code=hall, number=window).first()
        if found is None:
            raise CommandError(
                _("No window %(number)s in hall %(hall)s.") % {"number": window, "hall": hall}
            )
        device, code = tablet_issue_pairing_code(window=found, label=label)
        path = f"{reverse('tablet:pair')}?code={code}"
        link = f"{base_url.rstrip('/')}{path}" if base_url else absolute_url(path)
        expires = hall_localtime(found.hall, device.pairing_expires_at).strftime("%H:%M")
        self.stdout.write(
            _("Pairing code for %(window)s: %(code)s (valid until %(time)s)")
            % {"window": found, "code": code, "time": expires}
        )
        self.stdout.write(_("Open on the tablet: %(link)s") % {"link": link})
