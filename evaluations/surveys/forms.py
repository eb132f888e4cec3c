"""The tablet's questionnaire form: one field per question, named by answer_field_name.

The fields only carry what the citizen tapped or wrote; whether an answer is valid is
decided by questionnaire_response_submit, whose errors the view puts back on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import Question, Questionnaire, Rating
from evaluations.services.surveys import TEXT_MAX_LENGTH, answer_field_name

LEVEL_CHOICES = sorted(Rating.Level.choices, reverse=True)
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def _answer_field(question: Question) -> forms.Field:
    choice_attrs = {"class": "btn-check", "autocomplete": "off"}
    if question.kind == Question.Kind.FIVE_LEVEL:
        widget = forms.RadioSelect(choices=LEVEL_CHOICES, attrs=choice_attrs)
    elif question.kind == Question.Kind.YES_NO:
        widget = forms.RadioSelect(choices=YES_NO_CHOICES, attrs=choice_attrs)
    elif question.kind == Question.Kind.SINGLE_CHOICE:
        widget = forms.RadioSelect(
            choices=[(choice, choice) for choice in question.choices], attrs=choice_attrs
        )
    else:
        widget = forms.Textarea(
            attrs={"rows": 3, "maxlength": TEXT_MAX_LENGTH, "class": "form-control form-control-lg"}
        )
    return forms.CharField(label=question.text, required=False, strip=True, widget=widget)


class QuestionnaireForm(forms.Form):
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.questions = list(questionnaire.questions.all())
        for question in self.questions:
            self.fields[answer_field_name(question.pk)] = _answer_field(question)

    def answer_fields(self) -> list[tuple[Question, forms.BoundField]]:
        return [(question, self[answer_field_name(question.pk)]) for question in self.questions]

    def answers(self) -> dict[int, Any]:
        return {
            question.pk: self.cleaned_data.get(answer_field_name(question.pk), "")
            for question in self.questions
        }
