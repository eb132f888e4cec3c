"""The questionnaire results' query: which week (?week=), and who may read the results."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest

from windows.rules.hall_time import week_of

RESULTS_PERMISSION = "evaluations.view_questionnaireresponse"


def selected_week(request: HttpRequest, today: date) -> date:
    value = request.GET.get("week")
    if not value:
        return week_of(today)[0]
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Http404("Not a date.") from None
    if day > today:
        raise Http404("A week to come has no responses.")
    return week_of(day)[0]
