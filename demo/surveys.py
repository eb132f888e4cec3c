"""The demo hall's questionnaire: the default one, and the answers of recent weeks."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from evaluations.models import Answer, Question, QuestionnaireResponse
from evaluations.services.surveys import default_questionnaire, questionnaire_create_default
from windows.models import Hall
from windows.rules.hall_time import hall_zone

SURVEY_WEEKS = 12
COMMENTS = ("希望增加引导人员", "工作人员很耐心", "等候区座位偏少", "材料清单很清楚")


def seed_questionnaire(*, hall: Hall) -> bool:
    """Create the hall's default questionnaire if it has none; True if it was created."""
    if default_questionnaire(hall=hall) is not None:
        return False
    questionnaire_create_default(hall=hall)
    return True


def seed_questionnaire_responses(*, hall: Hall, today: date) -> int:
    """Responses to the default questionnaire in the last 12 weeks up to today.

    Around the weekly quota, a few weeks short of it (as in the source, before the hall
    made the 50 a week a rule). A week that has responses already is left alone.
    """
    questionnaire = default_questionnaire(hall=hall)
    if questionnaire is None:
        return 0
    questions = list(questionnaire.questions.order_by("order"))
    this_monday = today - timedelta(days=today.weekday())
    created = 0
    for weeks_ago in range(SURVEY_WEEKS - 1, -1, -1):
        monday = this_monday - timedelta(weeks=weeks_ago)
        if QuestionnaireResponse.objects.filter(hall=hall, week_start=monday).exists():
            continue
        rng = random.Random(f"{hall.code}-survey-{monday.isoformat()}")
        quota = hall.weekly_questionnaire_quota
        count = rng.randint(quota - 12, quota + 10)
        days = [monday + timedelta(days=d) for d in range(5) if monday + timedelta(days=d) <= today]
        if not days:
            continue
        if weeks_ago == 0:
            count = count * len(days) // 5
        responses = QuestionnaireResponse.objects.bulk_create(
            QuestionnaireResponse(
                hall=hall,
                questionnaire=questionnaire,
                week_start=monday,
                submitted_at=datetime.combine(
                    rng.choice(days), time(rng.randint(9, 16), rng.randrange(60)), hall_zone(hall)
                ),
            )
            for _ in range(count)
        )
        Answer.objects.bulk_create(
            answer
            for response in responses
            for question in questions
            if (answer := _answer(response, question, rng)) is not None
        )
        created += len(responses)
    return created


def _answer(response: QuestionnaireResponse, question: Question, rng: random.Random):
    kind = Question.Kind
    if question.kind == kind.FIVE_LEVEL:
        level = rng.choices((5, 4, 3, 2, 1), weights=(78, 15, 5, 1.5, 0.5))[0]
        return Answer(response=response, question=question, level=level)
    if question.kind == kind.YES_NO:
        return Answer(response=response, question=question, yes=rng.random() < 0.93)
    if question.kind == kind.SINGLE_CHOICE and question.choices:
        choice = rng.choices(question.choices, weights=(70, 25, 5)[: len(question.choices)])[0]
        return Answer(response=response, question=question, choice=choice)
    if question.kind == kind.FREE_TEXT and rng.random() < 0.1:
        return Answer(response=response, question=question, text=rng.choice(COMMENTS))
    return None
