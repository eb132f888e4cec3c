"""What rectification adds to the lower apps' pages (registered in RectificationConfig.ready()):
the form that turns a case or a week's questionnaire results into a measure, and a window's
inspection record in the window admin."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from complaints.models import Complaint
from rectification.models import Measure
from rectification.selectors import measure_completion, window_inspection_record
from rectification.services import may_manage_hall
from rectification.spawn import MeasureSpawnForm
from windows.hooks import Panel
from windows.models import Hall, Window

SPAWN_FORM = "rectification/_spawn_form.html"


def case_measure_title(complaint: Complaint, *, reasons: list[str]) -> str:
    """The suggested title of a measure spawned by the case: what it is about (category,
    description, or the bad review's reasons), else its channel."""
    subject = (
        complaint.get_category_display()
        or Truncator(complaint.comment).chars(40)
        or "、".join(reasons)
    )
    return _("Rectify case #%(number)s: %(subject)s") % {
        "number": complaint.pk,
        "subject": subject or complaint.get_channel_display(),
    }


def week_measure_title(week: date) -> str:
    return _("Improve on the questionnaire results of the week of %(week)s") % {
        "week": week.isoformat()
    }


def week_query(hall: Hall, week: date) -> str:
    return urlencode({"hall": hall.code, "week": week.isoformat()})


def case_measure_panel(*, request, complaint: Complaint, reason_labels: list[str]) -> Panel | None:
    """On a case's page, for a manager of its hall: the measures it spawned, and the form."""
    if not may_manage_hall(user=request.user, hall=complaint.hall):
        return None
    title = case_measure_title(complaint, reasons=reason_labels)
    return Panel(
        SPAWN_FORM,
        {
            "spawn_form": MeasureSpawnForm(hall=complaint.hall, initial={"title": title}),
            "spawn_action": reverse("rectification:from-case", args=[complaint.pk]),
            "spawned": complaint.measures.select_related("checklist").order_by("pk"),
        },
    )


def week_measure_panel(*, request, hall: Hall, week: date) -> Panel | None:
    """Under a week's questionnaire results, for a manager of the hall: the same form."""
    if not may_manage_hall(user=request.user, hall=hall):
        return None
    return Panel(
        SPAWN_FORM,
        {
            "spawn_form": MeasureSpawnForm(hall=hall, initial={"title": week_measure_title(week)}),
            "spawn_action": f"{reverse('rectification:from-week')}?{week_query(hall, week)}",
            "spawned": Measure.objects.filter(checklist__hall=hall, questionnaire_week=week)
            .select_related("checklist")
            .order_by("pk"),
        },
    )


def window_inspections(*, window: Window) -> str:
    """The window admin's record of unannounced inspections (明察暗访) naming the window."""
    record = window_inspection_record(window=window)
    if not record.honours and not record.warnings:
        return format_html("{}", _("Not named by any inspection."))
    items = [("inspection-honour", _("Best window"), i) for i in record.honours] + [
        ("inspection-warning", _("Worst window"), i) for i in record.warnings
    ]
    return format_html(
        '<ul id="inspection-record" style="margin: 0; padding: 0">{}</ul>',
        format_html_join("", '<li class="{}">{}: {}</li>', items),
    )


def completion_tile(*, hall: Hall, today: date) -> Panel:
    """The case dashboard's tile of the hall's rectification completion."""
    return Panel(
        "rectification/_completion_tile.html", {"completion": measure_completion(hall=hall)}
    )
