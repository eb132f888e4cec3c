"""The demo hall's questionnaire: the default one, created once."""

from __future__ import annotations

from evaluations.services.surveys import default_questionnaire, questionnaire_create_default
from windows.models import Hall


def seed_questionnaire(*, hall: Hall) -> bool:
    """Create the hall's default questionnaire if it has none; True if it was created."""
    if default_questionnaire(hall=hall) is not None:
        return False
    questionnaire_create_default(hall=hall)
    return True
