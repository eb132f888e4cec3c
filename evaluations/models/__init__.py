from .devices import TabletDevice
from .ratings import Rating
from .surveys import Answer, Question, Questionnaire, QuestionnaireResponse

__all__ = ["Answer", "Question", "Questionnaire", "QuestionnaireResponse", "Rating", "TabletDevice"]
