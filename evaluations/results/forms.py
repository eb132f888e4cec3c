"""The filters of the results pages: a period (for one's own results) and a date range."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.selectors.results import Period
from windows.widgets import DatePicker

MAX_RANGE_DAYS = 3 * 366


def period_default_start(period: Period, end: dt.date) -> dt.date:
    """Up to the end: the last 30 days, 12 weeks (from a Monday) or 12 months (from a 1st)."""
    if period == "week":
        return end - dt.timedelta(days=end.weekday(), weeks=11)
    if period == "month":
        months = end.year * 12 + end.month - 1 - 11
        return dt.date(months // 12, months % 12 + 1, 1)
    return end - dt.timedelta(days=29)


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    end = forms.DateField(label=_("To"), required=False, widget=DatePicker())

    def __init__(self, data, *, today: dt.date, **kwargs) -> None:
        self.today = today
        super().__init__(data, **kwargs)

    def default_start(self, end: dt.date) -> dt.date:
        return end

    def clean(self) -> dict:
        cleaned = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or self.default_start(end)
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (end - start).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError(_("The date range may cover at most three years."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class MyResultsForm(DateRangeForm):
    period = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=[("day", _("day")), ("week", _("week")), ("month", _("month"))],
    )

    field_order = ["period", "start", "end"]

    def default_start(self, end: dt.date) -> dt.date:
        return period_default_start(self.period_value(), end)

    def period_value(self) -> Period:
        period = (self.cleaned_data.get("period") if hasattr(self, "cleaned_data") else "") or ""
        return period if period in ("week", "month") else "day"  # type: ignore[return-value]

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["period"] = self.period_value()
        return cleaned
