"""Questionnaires (满意度测评问卷): the hall's default questionnaire and storing a response.

A response belongs to the hall of its questionnaire and to the week (Monday, hall local
time) it was submitted in; the weekly quota is counted by that week. A response is
stored whole or not at all, and a tablet's retried submission (same client id) counts
once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Answer, Question, Questionnaire, QuestionnaireResponse, TabletDevice
from windows.live import window_touch
from windows.models import Hall
from windows.rules.hall_time import hall_localdate, week_of

DEFAULT_TITLE = "满意度测评问卷"
DEFAULT_INTRODUCTION = "为了更好地为您服务，请花一分钟时间对本次办事进行评价，谢谢！"
WAITING_TIME_CHOICES = ["10分钟以内", "10-30分钟", "30分钟以上"]
DEFAULT_QUESTIONS: tuple[tuple[str, str, list[str], bool], ...] = (
    ("办事便利度：您对本次办事的便利程度是否满意？", Question.Kind.FIVE_LEVEL, [], True),
    ("一次性告知：办事时工作人员是否一次性告知所需材料？", Question.Kind.YES_NO, [], True),
    ("公开透明依法办事：您对大厅公开透明、依法办事是否满意？", Question.Kind.FIVE_LEVEL, [], True),
    ("服务态度：您对工作人员的服务态度是否满意？", Question.Kind.FIVE_LEVEL, [], True),
    (
        "等候时间：您本次排队等候了多长时间？",
        Question.Kind.SINGLE_CHOICE,
        WAITING_TIME_CHOICES,
        True,
    ),
    ("意见建议：您对我们的工作还有什么意见或建议？", Question.Kind.FREE_TEXT, [], False),
)
TEXT_MAX_LENGTH = 500
YES_VALUES = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}


def answer_field_name(question_id: int) -> str:
    """The key under which an answer's error is reported (and the form field's name)."""
    return f"question_{question_id}"


def default_questionnaire(*, hall: Hall) -> Questionnaire | None:
    return Questionnaire.objects.filter(hall=hall, title=DEFAULT_TITLE).order_by("pk").first()


@transaction.atomic
def questionnaire_create_default(*, hall: Hall) -> Questionnaire:
    """The hall's default questionnaire, created with its six questions if missing.

    A hall has at most one: it is recognised by its title, so calling this again (or
    after a manager edited its questions) returns the one there is.
    """
    Hall.objects.select_for_update().filter(pk=hall.pk).first()
    existing = default_questionnaire(hall=hall)
    if existing is not None:
        return existing
    questionnaire = Questionnaire.objects.create(
        hall=hall, title=DEFAULT_TITLE, introduction=DEFAULT_INTRODUCTION, is_active=True
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            order=order,
            text=text,
            kind=kind,
            choices=list(choices),
            required=required,
        )
        for order, (text, kind, choices, required) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    return questionnaire


def _clean_answer(question: Question, value: Any) -> dict[str, Any] | None:
    """The Answer fields for a value, None for an optional question left blank."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if question.required:
            raise ValidationError(_("Please answer this question."))
        return None
    if question.kind == Question.Kind.FIVE_LEVEL:
        try:
            level = int(value)
        except (TypeError, ValueError):
            level = 0
        if isinstance(value, bool) or not 1 <= level <= 5:
            raise ValidationError(_("Choose a level from 1 to 5."))
        return {"level": level}
    if question.kind == Question.Kind.YES_NO:
        yes = value if isinstance(value, bool) else YES_VALUES.get(str(value).lower())
        if yes is None:
            raise ValidationError(_("Answer yes or no."))
        return {"yes": yes}
    if question.kind == Question.Kind.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question.choices:
            raise ValidationError(_("Choose one of the answers offered."))
        return {"choice": value}
    if not isinstance(value, str):
        raise ValidationError(_("Write your answer as text."))
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(
            _("Keep your answer to %(limit)d characters (it has %(length)d).")
            % {"limit": TEXT_MAX_LENGTH, "length": len(value)}
        )
    return {"text": value}


def _existing_response(
    client_id: uuid.UUID, questionnaire: Questionnaire
) -> QuestionnaireResponse | None:
    response = QuestionnaireResponse.objects.filter(client_id=client_id).first()
    if response is not None and response.questionnaire_id != questionnaire.pk:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("This submission id was already used for another questionnaire.")}
        )
    return response


@transaction.atomic
def questionnaire_response_submit(
    *,
    questionnaire: Questionnaire,
    answers: dict[int, Any],
    device: TabletDevice | None = None,
    client_id: uuid.UUID | None = None,
    submitted_at: datetime | None = None,
) -> QuestionnaireResponse:
    """Store a citizen's answers to a questionnaire in use, all of them or nothing.

    `answers` maps question ids to values: a level 1-5 for a five-level question, yes/no
    (a bool or "yes"/"no"), one of the offered choices, or text of at most 500
    characters. A ValidationError names the failing questions by `answer_field_name`.
    A client id seen before returns the response stored then, unchanged.
    """
    if client_id is not None:
        existing = _existing_response(client_id, questionnaire)
        if existing is not None:
            return existing
    if not questionnaire.is_active:
        raise ValidationError({NON_FIELD_ERRORS: _("This questionnaire is no longer in use.")})
    if device is not None and device.window.hall_id != questionnaire.hall_id:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("This tablet belongs to another hall's window.")}
        )
    questions = list(questionnaire.questions.all())
    known = {question.pk for question in questions}
    errors: dict[str, list] = {}
    unknown = [key for key in answers if key not in known]
    if unknown:
        errors[NON_FIELD_ERRORS] = [
            _("An answer was given to a question not in this questionnaire.")
        ]
    rows = []
    for question in questions:
        try:
            fields = _clean_answer(question, answers.get(question.pk))
        except ValidationError as error:
            errors[answer_field_name(question.pk)] = error.messages
            continue
        if fields is not None:
            rows.append((question, fields))
    if errors:
        raise ValidationError(errors)

    submitted_at = submitted_at or timezone.now()
    try:
        with transaction.atomic():
            response = QuestionnaireResponse.objects.create(
                hall_id=questionnaire.hall_id,
                questionnaire=questionnaire,
                submitted_at=submitted_at,
                week_start=week_of(hall_localdate(questionnaire.hall, submitted_at))[0],
                device=device,
                client_id=client_id,
            )
    except IntegrityError:
        # The same tablet submission arrived twice at once: the first one stored it.
        existing = _existing_response(client_id, questionnaire) if client_id else None
        if existing is None:
            raise
        return existing
    Answer.objects.bulk_create(
        Answer(response=response, question=question, **fields) for question, fields in rows
    )
    if device is not None:
        window_touch(device.window_id)  # its invitation to the questionnaire is answered
    return response
