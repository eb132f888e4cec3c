from .calendar import HallCalendarDay
from .catalog import ServiceItem
from .halls import Department, Hall, HallAccess, Zone
from .import_jobs import ImportJob
from .sessions import WindowSession
from .staff import DutyAssignment, Staff
from .visits import Visit, VisitItem
from .windows import Window, WindowServiceItem

__all__ = [
    "Department",
    "DutyAssignment",
    "Hall",
    "HallAccess",
    "HallCalendarDay",
    "ImportJob",
    "ServiceItem",
    "Staff",
    "Visit",
    "VisitItem",
    "Window",
    "WindowServiceItem",
    "WindowSession",
    "Zone",
]
