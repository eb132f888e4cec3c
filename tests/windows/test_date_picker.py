"""Date fields on the pages keep their value in Chinese: the browser's date input takes
only ISO dates, and Django wrote 2026/11/28 there (the field then showed empty)."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.utils import translation

from complaints.forms import CaseFilterForm
from evaluations.results.forms import DateRangeForm
from rectification.forms import ChecklistForm, MeasurePlanForm
from rectification.spawn import MeasureSpawnForm
from reports.forms import BulletinBuildForm
from windows.widgets import DatePicker

DAY = date(2026, 11, 28)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_is_written_in_iso_form_whatever_the_language(language):
    class Form(forms.Form):
        day = forms.DateField(widget=DatePicker())

    with translation.override(language):
        html = str(Form(initial={"day": DAY})["day"])

    assert 'type="date"' in html
    assert 'value="2026-11-28"' in html


def test_an_iso_date_posted_from_a_chinese_page_is_accepted():
    class Form(forms.Form):
        day = forms.DateField(widget=DatePicker())

    with translation.override("zh-hans"):
        form = Form(data={"day": "2026-11-28"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DAY


@pytest.mark.parametrize(
    "form_class",
    [
        BulletinBuildForm,
        MeasurePlanForm,
        ChecklistForm,
        MeasureSpawnForm,
        CaseFilterForm,
        DateRangeForm,
    ],
)
def test_every_date_field_of_the_pages_uses_the_date_picker(form_class):
    date_fields = {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField)
    }

    assert date_fields, f"{form_class.__name__} has no date field"
    assert {name: type(field.widget) for name, field in date_fields.items()} == {
        name: DatePicker for name in date_fields
    }
