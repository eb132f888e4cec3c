"""`python manage.py demo_logins`: the table of demo logins that `make run` prints."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from demo.catalogue import DEMO_LOGINS, DEMO_PASSWORD, HALL_CODE, STAFF
from windows.hall_devices import hall_device_issue_pairing_code
from windows.links import absolute_url
from windows.models import Hall, HallDevice

# The demo hall's screens: (kind, label, the name of its pairing page).
DEMO_SCREENS = (
    (HallDevice.Kind.KIOSK, "演示取号机", "kiosk:pair"),
    (HallDevice.Kind.DISPLAY, "演示大屏", "display:pair"),
)


def display_width(text: str) -> int:
    """Terminal columns of a text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_table(rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (width - display_width(cell))
            for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


class Command(BaseCommand):
    help = "List the demo logins created by seed_demo: username, role, password, where to go."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="Address of the portal (default: the PORTAL_BASE_URL setting, "
            "http://127.0.0.1:$PORT when unset, port 8000).",
        )
        parser.add_argument(
            "--screens",
            action="store_true",
            help="Also issue one-time pairing codes for the demo hall's ticket kiosk and big "
            "screen and print their pairing links (valid 15 minutes).",
        )

    def handle(self, *args, **options) -> None:
        base_url = options["base_url"].rstrip("/")
        link = (lambda path: base_url + path) if base_url else absolute_url
        users = get_user_model().objects.in_bulk(
            [login.username for login in DEMO_LOGINS], field_name="username"
        )
        if not users:
            self.stdout.write(
                _("The demo logins do not exist yet: run `python manage.py seed_demo` first.")
            )
            return

        verdicts: dict[str, bool] = {}  # by password hash: the demo logins share one
        rows = [[_("Username"), pgettext("demo login", "Role"), _("Password"), _("Open")]]
        for login in DEMO_LOGINS:
            user = users.get(login.username)
            if user is None:
                password = _("(missing)")
            else:
                if user.password not in verdicts:
                    verdicts[user.password] = user.check_password(DEMO_PASSWORD)
                password = DEMO_PASSWORD if verdicts[user.password] else _("(changed)")
            rows.append([login.username, login.role_label, password, link(login.open_path)])

        self.stdout.write(_("Demo logins:"))
        for line in format_table(rows):
            self.stdout.write("  " + line)
        self.stdout.write(
            _(
                "Every window staff member logs in with the badge number in lower case "
                "(%(first)s to %(last)s) and the same password, set when seed_demo created "
                "the login."
            )
            % {"first": STAFF[0].username, "last": STAFF[-1].username}
        )
        self.print_regional_login(link)
        if len(users) < len(DEMO_LOGINS):
            self.stdout.write(_("Run `python manage.py seed_demo` to create the missing ones."))
        if options["screens"]:
            self.print_screen_links(link)

    def print_regional_login(self, link) -> None:
        """The demo region's login (seed_demo --region), when it was loaded."""
        from demo.region import REGIONAL_ROLE_LABEL, REGIONAL_USERNAME

        user = get_user_model().objects.filter(username=REGIONAL_USERNAME).first()
        if user is None:
            return
        password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else _("(changed)")
        self.stdout.write(
            _("Regional login: %(user)s, %(role)s, password %(password)s, open %(url)s")
            % {
                "user": REGIONAL_USERNAME,
                "role": REGIONAL_ROLE_LABEL,
                "password": password,
                "url": link(reverse("regional:ranking")),
            }
        )

    def print_screen_links(self, link) -> None:
        """Fresh pairing codes for the demo hall's kiosk and big screen; the codes of
        earlier runs that were never used are dropped (nothing refers to them)."""
        hall = Hall.objects.filter(code=HALL_CODE).first()
        if hall is None:
            return
        labels = [label for _kind, label, _path in DEMO_SCREENS]
        HallDevice.objects.filter(hall=hall, label__in=labels, token_hash__isnull=True).delete()
        self.stdout.write(_("Hall screens (open the link on the screen, valid 15 minutes):"))
        for kind, label, page in DEMO_SCREENS:
            device, code = hall_device_issue_pairing_code(hall=hall, kind=kind, label=label)
            url = link(f"{reverse(page)}?code={code}")
            self.stdout.write(f"  {device.get_kind_display()}: {url}")
