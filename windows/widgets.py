"""Form widgets every app's pages share."""

from __future__ import annotations

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker (`<input type="date">`) with its value in ISO form.

    HTML's date input takes and gives `YYYY-MM-DD` whatever the page's language. Django's
    DateInput writes a date in the active language's first input format, `2026/11/28` in
    Chinese, which the browser drops as invalid: the field showed empty on every Chinese
    page (a measure's deadline, a filter's dates, the bulletin's day). Posted values are
    ISO too, which DateField accepts in every language.
    """

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
