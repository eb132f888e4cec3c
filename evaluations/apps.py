from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from windows.hooks import console_panels

        from .panels import console_day_panels

        console_panels.register(console_day_panels)
