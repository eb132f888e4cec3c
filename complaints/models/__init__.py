from .alerts import DutyAlert
from .complaints import Channel, Complaint, DeadlineExtension, DeadlineRule

__all__ = ["Channel", "Complaint", "DeadlineExtension", "DeadlineRule", "DutyAlert"]
