from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from reports import schedule_admin  # noqa: F401  (the scheduled jobs' admin)
        from reports.surge.panels import surge_alerts_at_home, surge_alerts_on_console
        from windows.hooks import console_panels, home_panels

        console_panels.register(surge_alerts_on_console)
        home_panels.register(surge_alerts_at_home)
