"""Complaint handling: cases from every channel on the working-day clock, follow-ups of bad
reviews, callbacks, extensions and duty-leader alerts.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from windows.hooks import console_panels, home_panels

        from .panels import duty_alerts_at_home, duty_alerts_on_console

        console_panels.register(duty_alerts_on_console)
        home_panels.register(duty_alerts_at_home)
