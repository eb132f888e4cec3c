"""The small form that turns a case or a week's questionnaire results into a measure, and
the messages its views send back: the pages show the form to a manager of the hall, the
services (measure_from_complaint, measure_from_questionnaire_week) decide the rest."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rectification.models import Measure
from rectification.selectors import hall_checklists, hall_people
from windows.models import Hall
from windows.people import person_name
from windows.widgets import DatePicker


class MeasureSpawnForm(forms.Form):
    checklist = forms.ModelChoiceField(label=_("Checklist"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Measure"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DatePicker())
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=None, required=False
    )

    def __init__(self, data=None, *, hall: Hall, **kwargs) -> None:
        kwargs.setdefault("prefix", "measure")
        super().__init__(data, **kwargs)
        self.fields["checklist"].queryset = hall_checklists(hall=hall)
        self.fields["responsible_person"].queryset = hall_people(hall=hall)
        self.fields["responsible_person"].label_from_instance = person_name


def report_form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            if label:
                error = gettext("%(field)s: %(error)s") % {"field": label, "error": error}
            messages.error(request, error)


def report_refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def report_added(request: HttpRequest, measure: Measure) -> None:
    messages.success(
        request,
        format_html(
            '{} <a class="alert-link" id="spawned-measure" href="{}">{}</a>',
            gettext("Measure “%(title)s” added to the checklist “%(checklist)s”.")
            % {"title": measure.title, "checklist": measure.checklist.title},
            reverse("rectification:measure", args=[measure.pk]),
            gettext("Open the measure"),
        ),
    )
