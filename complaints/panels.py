"""What complaint handling adds to the lower apps' pages (ComplaintsConfig.ready())."""

from __future__ import annotations

from complaints.services.alerts import open_duty_alerts
from windows.hooks import Panel

DUTY_ALERTS = "complaints/_duty_alerts.html"


def duty_alerts_on_console(*, request, staff, today) -> Panel | None:
    """The duty leader's open alerts (new cases) on the staff console."""
    alerts = open_duty_alerts(user=request.user, day=today)
    return Panel(DUTY_ALERTS, {"duty_alerts": alerts}, slot="alerts") if alerts else None


def duty_alerts_at_home(*, request, today) -> Panel | None:
    """The same alerts on the staff member's home page."""
    alerts = open_duty_alerts(user=request.user, day=today)
    return Panel(DUTY_ALERTS, {"duty_alerts": alerts}) if alerts else None
