"""Alerts to the hall's duty leader (值班长) about a new case that needs them at once."""

from __future__ import annotations

from evaluations.models import Complaint


def duty_alert_for(*, complaint: Complaint) -> None:
    """Alert the duty leader of the complaint's hall about a new bad review or 12345 order.

    Called by the services that open cases, inside their transaction; the email goes out
    after the commit.
    """
