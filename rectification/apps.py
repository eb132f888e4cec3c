"""Rectification checklists, their measures and the inspections (明察暗访) that feed them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        from complaints.hooks import case_panels, dashboard_tiles
        from evaluations.hooks import week_panels
        from windows.hooks import window_records

        from .panels import (
            case_measure_panel,
            completion_tile,
            week_measure_panel,
            window_inspections,
        )

        case_panels.register(case_measure_panel)
        week_panels.register(week_measure_panel)
        window_records.register(window_inspections)
        dashboard_tiles.register(completion_tile)
