"""The queue system's visits, with their ratings and the follow-ups of bad reviews: the one
entry point that writes windows, evaluations and complaints data, so it sits above all
three.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Queue-system imports")

    def ready(self) -> None:
        from windows.importing.jobs import register_runner

        from .visits import visits_import_job

        register_runner("visits", visits_import_job)
