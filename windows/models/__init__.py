from .appointments import Appointment, AppointmentSlot
from .calendar import HallCalendarDay
from .catalog import ServiceItem
from .halls import Department, Hall, HallAccess, Zone
from .import_jobs import ImportJob
from .queue import HallDevice, QueueCall, QueueCategory, TicketCounter
from .regions import Region, RegionAccess
from .sessions import WindowSession
from .staff import DutyAssignment, Staff
from .visits import Visit, VisitItem
from .windows import Window, WindowServiceItem

__all__ = [
    "Appointment",
    "AppointmentSlot",
    "Department",
    "DutyAssignment",
    "Hall",
    "HallAccess",
    "HallCalendarDay",
    "HallDevice",
    "ImportJob",
    "QueueCall",
    "QueueCategory",
    "Region",
    "RegionAccess",
    "ServiceItem",
    "Staff",
    "TicketCounter",
    "Visit",
    "VisitItem",
    "Window",
    "WindowServiceItem",
    "WindowSession",
    "Zone",
]
