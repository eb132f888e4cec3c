from .devices import TabletDevice
from .followups import FollowUpCase
from .ratings import Rating
from .surveys import Answer, Question, Questionnaire, QuestionnaireResponse

__all__ = [
    "Answer",
    "FollowUpCase",
    "Question",
    "Questionnaire",
    "QuestionnaireResponse",
    "Rating",
    "TabletDevice",
]
