from .complaints import Channel, Complaint, DeadlineExtension, DeadlineRule
from .devices import TabletDevice
from .ratings import Rating
from .rectification import Inspection, Measure, RectificationChecklist
from .reminders import DutyAlert, ReminderSent
from .surveys import Answer, Question, Questionnaire, QuestionnaireResponse

__all__ = [
    "Answer",
    "Channel",
    "Complaint",
    "DeadlineExtension",
    "DeadlineRule",
    "DutyAlert",
    "Inspection",
    "Measure",
    "Question",
    "Questionnaire",
    "QuestionnaireResponse",
    "Rating",
    "RectificationChecklist",
    "ReminderSent",
    "TabletDevice",
]
