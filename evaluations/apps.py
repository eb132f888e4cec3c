from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from windows.hooks import console_panels, visits_changed

        from .panels import console_day_panels
        from .rollups import visits_changed as refresh_window_day

        console_panels.register(console_day_panels)
        visits_changed.register(refresh_window_day)
