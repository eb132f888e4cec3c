from .devices import TabletDevice
from .ratings import Rating
from .rollups import DailyFigures, DailyItemFigures
from .surveys import Answer, Question, Questionnaire, QuestionnaireResponse

__all__ = [
    "Answer",
    "DailyFigures",
    "DailyItemFigures",
    "Question",
    "Questionnaire",
    "QuestionnaireResponse",
    "Rating",
    "TabletDevice",
]
