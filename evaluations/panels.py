"""What evaluations adds to the lower apps' pages (registered in EvaluationsConfig.ready())."""

from __future__ import annotations

from evaluations.selectors.console_day import console_day
from windows.hooks import Panel


def console_day_panels(*, request, staff, today) -> list[Panel]:
    """The staff console's figures and ratings of the day, and today's visits with theirs."""
    context = {"day": console_day(staff=staff, today=today), "today": today}
    return [
        Panel("evaluations/console/_figures.html", context, slot="side"),
        Panel("evaluations/console/_visits.html", context, slot="below"),
    ]
