"""A case's change history in the admin, in the reader's language and the hall's time.

django-simple-history's history page shows stored values as they are: status codes
(`closed`), field names as column headers (`due_date`), a missing handler as
"Deleted 用户 (pk=None)", times in UTC with microseconds and the stored notes. Here every
value is shown as the case page shows it: a choice by its label, a person by their name
("the system" for steps nobody did), a time in the hall's local time to the minute, a
note (complaints.history_notes) in the reader's language.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from simple_history.models import DeletedObject, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from complaints.history_notes import note_text
from complaints.models import Complaint
from evaluations.admin.devices import reason_labels
from windows.people import person_name
from windows.rules.hall_time import hall_localtime, hall_zone

EMPTY = "—"
TIME_FORMAT = "Y-m-d H:i"


def local_time_text(moment: dt.datetime | None, hall) -> str:
    """A stored moment as the hall's wall-clock time, to the minute."""
    if moment is None:
        return EMPTY
    return date_format(hall_localtime(hall, moment), TIME_FORMAT)


def value_text(field: models.Field, value, *, hall) -> str:
    """A stored value of a case's field as the reader reads it."""
    if isinstance(value, DeletedObject):
        # A foreign key that is empty (pk None) or whose row is gone.
        if value.pk is None:
            return EMPTY
        return _("deleted (#%(pk)s)") % {"pk": value.pk}
    if value is None or value == "" or value == []:
        return EMPTY
    if field.choices:
        return capfirst(str(dict(field.flatchoices).get(value, value)))
    if field.name == "reasons":
        return reason_labels(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return local_time_text(value, hall)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, get_user_model()):
        return person_name(value)
    if isinstance(field, models.FileField):
        return str(getattr(value, "name", value)) or EMPTY
    return str(value)


class CaseHistoryHelper(HistoricalRecordContextHelper):
    """simple_history's changes column with the values as value_text shows them."""

    def __init__(self, model, historical_record, *, hall):
        super().__init__(model, historical_record)
        self.hall = hall

    def format_delta_change(self, change: ModelChange) -> ModelChange:
        field = self.model._meta.get_field(change.field)
        old, new = (value_text(field, value, hall=self.hall) for value in (change.old, change.new))
        old, new = self.get_obj_diff_display().common_shorten_repr(old, new)
        return ModelChange(
            field=capfirst(field.verbose_name),
            old=conditional_escape(old),
            new=conditional_escape(new),
        )


HISTORY_TYPES = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}


class CaseHistoryAdminMixin:
    """For a SimpleHistoryAdmin of Complaint: the history page in the reader's words."""

    object_history_list_template = "admin/complaints/complaint/object_history_list.html"
    object_history_form_template = "admin/complaints/complaint/object_history_form.html"
    history_list_display = ("status", "due_date", "handler")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One past version: its times in the case's hall's time zone too."""
        case = Complaint.objects.filter(pk=object_id).select_related("hall").first()
        with timezone.override(hall_zone(case.hall if case else None)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return CaseHistoryHelper(self.model, historical_record, hall=historical_record.hall)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("hall", "history_user__staff_profile")
        )

    def render_history_view(self, request, template, context, **kwargs):
        if "page_obj" not in context:  # one past version's page: the change form's values
            return super().render_history_view(request, template, context, **kwargs)
        fields = [Complaint._meta.get_field(name) for name in self.history_list_display]
        context["history_columns"] = [capfirst(field.verbose_name) for field in fields]
        handlers = self._handlers(context["page_obj"].object_list)
        for record in context["page_obj"].object_list:
            record.shown_at = local_time_text(record.history_date, record.hall)
            record.shown_by = (
                person_name(record.history_user)
                if record.history_user_id is not None and record.history_user is not None
                else _("the system")
            )
            record.shown_type = capfirst(HISTORY_TYPES[record.history_type])
            record.shown_note = note_text(record.history_change_reason)
            record.shown_columns = [
                value_text(field, self._column_value(record, field, handlers), hall=record.hall)
                for field in fields
            ]
        return super().render_history_view(request, template, context, **kwargs)

    @staticmethod
    def _handlers(records) -> dict:
        ids = {record.handler_id for record in records if record.handler_id is not None}
        users = get_user_model().objects.filter(pk__in=ids).select_related("staff_profile")
        return {user.pk: user for user in users}

    @staticmethod
    def _column_value(record, field, handlers):
        if isinstance(field, models.ForeignKey):
            pk = getattr(record, field.attname)
            if pk is None:
                return None
            if field.name == "handler":
                return handlers.get(pk) or DeletedObject(field.related_model, pk)
            return getattr(record, field.name, None)
        return getattr(record, field.name)
