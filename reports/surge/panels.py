"""The surge alerts on the staff console and home page (ReportsConfig.ready() registers)."""

from __future__ import annotations

from windows.hooks import Panel

from .services import open_surge_alerts

SURGE_ALERTS = "reports/surge/_alerts.html"


def surge_alerts_on_console(*, request, staff, today) -> Panel | None:
    """The duty leader's open surge alerts of today, under the console's header."""
    alerts = open_surge_alerts(user=request.user, day=today)
    return Panel(SURGE_ALERTS, {"surge_alerts": alerts}, slot="alerts") if alerts else None


def surge_alerts_at_home(*, request, today) -> Panel | None:
    """The same alerts on the staff member's home page."""
    alerts = open_surge_alerts(user=request.user, day=today)
    return Panel(SURGE_ALERTS, {"surge_alerts": alerts}) if alerts else None
