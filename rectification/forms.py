"""The forms of a measure's pages (/rectification/): its plan (what, who, by when), for a
manager of the hall, and its progress (status, progress, evidence), for a manager or the
responsible person. The services decide; the forms only offer the hall's own choices and
turn a service's refusal into the form's error."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rectification.models import Measure, RectificationChecklist
from rectification.selectors import hall_people
from rectification.services import measure_update_check
from windows.models import Department, Hall
from windows.people import person_name
from windows.widgets import DatePicker


class MeasurePlanForm(forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=200)
    responsible_department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.none(), required=False
    )
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=None, required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DatePicker())

    def __init__(self, data=None, *, hall: Hall, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["responsible_department"].queryset = Department.objects.filter(
            hall=hall
        ).order_by("name")
        self.fields["responsible_person"].queryset = hall_people(hall=hall)
        self.fields["responsible_person"].label_from_instance = person_name

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("A measure needs a title."))
        return title

    @classmethod
    def initial_of(cls, measure: Measure) -> dict:
        return {
            "title": measure.title,
            "responsible_department": measure.responsible_department_id,
            "responsible_person": measure.responsible_person_id,
            "deadline": measure.deadline,
        }


class MeasureProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    progress_pct = forms.IntegerField(label=_("Progress %"), min_value=0, max_value=100)
    evidence_notes = forms.CharField(label=_("Evidence"), widget=forms.Textarea, required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)

    def __init__(self, data=None, files=None, *, measure: Measure, user, **kwargs) -> None:
        super().__init__(data, files, **kwargs)
        self.measure = measure
        self.user = user
        self.fields["evidence_notes"].widget.attrs["rows"] = 3

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors:
            try:
                measure_update_check(
                    measure=self.measure,
                    by=self.user,
                    status=cleaned["status"],
                    progress_pct=cleaned["progress_pct"],
                )
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned

    @classmethod
    def initial_of(cls, measure: Measure) -> dict:
        return {
            "status": measure.status,
            "progress_pct": measure.progress_pct,
            "evidence_notes": measure.evidence_notes,
        }


def _label(field: str):
    """A checklist field's name as the admin shows it (the model's, capitalised)."""
    return capfirst(RectificationChecklist._meta.get_field(field).verbose_name)


class ChecklistForm(forms.Form):
    """A new checklist's title, where its findings came from and the period it covers."""

    title = forms.CharField(label=_label("title"), max_length=200)
    source = forms.ChoiceField(
        label=_label("source"), choices=RectificationChecklist.Source.choices
    )
    period_start = forms.DateField(label=_label("period_start"), widget=DatePicker())
    period_end = forms.DateField(label=_label("period_end"), widget=DatePicker())

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned
