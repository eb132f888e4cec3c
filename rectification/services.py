"""Writes of rectification checklists (整改清单) and their measures, with their rules.

A measure moves not started → in progress → done → verified. Done means 100% and
records the day it was completed; only a manager of the checklist's hall verifies, and
only a done measure; a verified measure is closed and never changes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from evaluations.models import QuestionnaireResponse
from rectification.models import Measure, RectificationChecklist
from windows.models import Department, Hall
from windows.roles import is_hall_manager
from windows.rules.hall_time import hall_localdate, week_of

Status = Measure.Status


def may_manage_hall(*, user: AbstractBaseUser, hall: Hall) -> bool:
    """A manager of this hall (windows.roles.is_hall_manager)."""
    return is_hall_manager(user, hall)


def _require_manager(*, user: AbstractBaseUser, hall: Hall) -> None:
    if not may_manage_hall(user=user, hall=hall):
        raise ValidationError(_("Only a manager of this hall may do this."), code="forbidden")


@dataclass(frozen=True)
class MeasureChange:
    status: str
    progress_pct: int


def measure_update_check(
    *,
    measure: Measure,
    by: AbstractBaseUser,
    status: str | None = None,
    progress_pct: int | None = None,
) -> MeasureChange:
    """The status and progress an update would give, or a ValidationError; writes nothing."""
    current = Measure.objects.get(pk=measure.pk)
    if current.status == Status.VERIFIED:
        raise ValidationError(_("A verified measure cannot be changed."), code="verified")
    if not (
        may_manage_hall(user=by, hall=current.checklist.hall)
        or (current.responsible_person_id and current.responsible_person_id == by.pk)
    ):
        raise ValidationError(
            _("Only a manager of this hall or the responsible person may update a measure."),
            code="forbidden",
        )
    if status is not None and status not in Status.values:
        raise ValidationError(_("Unknown status."), code="status")
    if progress_pct is not None and (
        isinstance(progress_pct, bool)
        or not isinstance(progress_pct, int)
        or not 0 <= progress_pct <= 100
    ):
        raise ValidationError(_("Progress must be a whole number from 0 to 100."), code="progress")
    new_status = status or current.status
    if status is None and current.status == Status.NOT_STARTED and progress_pct:
        new_status = Status.IN_PROGRESS
    new_progress = current.progress_pct if progress_pct is None else progress_pct
    if new_status == Status.VERIFIED:
        _require_manager(user=by, hall=current.checklist.hall)
        if current.status != Status.DONE:
            raise ValidationError(_("Only a done measure can be verified."), code="verify_not_done")
    if new_status in (Status.DONE, Status.VERIFIED):
        if progress_pct is None:
            new_progress = 100
        elif progress_pct != 100:
            raise ValidationError(
                # xgettext:no-python-format
                _("A done measure is 100% complete."),
                code="done_not_100",
            )
    elif new_status == Status.NOT_STARTED and new_progress:
        raise ValidationError(
            _("A measure not started has no progress yet."), code="not_started_progress"
        )
    elif new_status == Status.IN_PROGRESS and new_progress == 100:
        raise ValidationError(
            # xgettext:no-python-format
            _("A measure at 100% is done: set its status to done."),
            code="progress_100",
        )
    return MeasureChange(status=new_status, progress_pct=new_progress)


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    by: AbstractBaseUser,
    status: str | None = None,
    progress_pct: int | None = None,
    evidence_notes: str | None = None,
    evidence_file: File | None = None,
) -> Measure:
    """Update a measure's status, progress and evidence, enforcing the rules above."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    change = measure_update_check(measure=measure, by=by, status=status, progress_pct=progress_pct)
    if change.status in (Status.DONE, Status.VERIFIED):
        if measure.completed_on is None:
            measure.completed_on = hall_localdate(measure.checklist.hall)
    else:
        measure.completed_on = None
    if change.status == Status.VERIFIED:
        measure.verified_by = by
        measure.verified_at = timezone.now()
    measure.status = change.status
    measure.progress_pct = change.progress_pct
    if evidence_notes is not None:
        measure.evidence_notes = evidence_notes
    if evidence_file is not None:
        measure.evidence_file = evidence_file
    measure.save()
    return measure


@transaction.atomic
def checklist_create(
    *,
    hall: Hall,
    title: str,
    source: str,
    period_start: date,
    period_end: date,
    by: AbstractBaseUser,
) -> RectificationChecklist:
    _require_manager(user=by, hall=hall)
    checklist = RectificationChecklist(
        hall=hall, title=title, source=source, period_start=period_start, period_end=period_end
    )
    checklist.full_clean()
    checklist.save()
    return checklist


@transaction.atomic
def measure_create(
    *,
    checklist: RectificationChecklist,
    title: str,
    deadline: date,
    by: AbstractBaseUser,
    responsible_department: Department | None = None,
    responsible_person: AbstractBaseUser | None = None,
    order: int | None = None,
    **links,
) -> Measure:
    """Add a measure to a checklist (a manager of its hall): at the end of the list unless
    an order is given; its department must be one of the hall's."""
    _require_manager(user=by, hall=checklist.hall)
    if not title.strip():
        raise ValidationError(_("A measure needs a title."), code="title")
    if responsible_department is not None and responsible_department.hall_id != checklist.hall_id:
        raise ValidationError(
            _("The responsible department belongs to another hall."), code="department"
        )
    if order is None:
        order = (checklist.measures.aggregate(last=Max("order"))["last"] or 0) + 1
    return Measure.objects.create(
        checklist=checklist,
        order=order,
        title=title.strip(),
        deadline=deadline,
        responsible_department=responsible_department,
        responsible_person=responsible_person,
        **links,
    )


@transaction.atomic
def measure_plan_update(
    *,
    measure: Measure,
    by: AbstractBaseUser,
    title: str,
    deadline: date,
    responsible_department: Department | None = None,
    responsible_person: AbstractBaseUser | None = None,
) -> Measure:
    """Change what a measure is, who answers for it and by when (a manager of its hall);
    its department must be one of the hall's; a verified measure never changes again."""
    measure = (
        Measure.objects.select_for_update().select_related("checklist__hall").get(pk=measure.pk)
    )
    _require_manager(user=by, hall=measure.checklist.hall)
    if measure.status == Status.VERIFIED:
        raise ValidationError(_("A verified measure cannot be changed."), code="verified")
    if not title.strip():
        raise ValidationError(_("A measure needs a title."), code="title")
    if (
        responsible_department is not None
        and responsible_department.hall_id != measure.checklist.hall_id
    ):
        raise ValidationError(
            _("The responsible department belongs to another hall."), code="department"
        )
    measure.title = title.strip()
    measure.deadline = deadline
    measure.responsible_department = responsible_department
    measure.responsible_person = responsible_person
    measure.save(
        update_fields=["title", "deadline", "responsible_department", "responsible_person"]
    )
    return measure


@transaction.atomic
def measure_from_complaint(
    *,
    complaint: Complaint,
    checklist: RectificationChecklist,
    title: str,
    deadline: date,
    by: AbstractBaseUser,
    responsible_department: Department | None = None,
    responsible_person: AbstractBaseUser | None = None,
) -> Measure:
    """A case spawns a measure on a checklist of its own hall, linked to the case."""
    if complaint.hall_id != checklist.hall_id:
        raise ValidationError(
            _("The case and the checklist belong to different halls."), code="hall"
        )
    return measure_create(
        checklist=checklist,
        title=title,
        deadline=deadline,
        by=by,
        responsible_department=responsible_department,
        responsible_person=responsible_person,
        complaint=complaint,
    )


@transaction.atomic
def measure_from_questionnaire_week(
    *,
    hall: Hall,
    week_start: date,
    checklist: RectificationChecklist,
    title: str,
    deadline: date,
    by: AbstractBaseUser,
    responsible_department: Department | None = None,
    responsible_person: AbstractBaseUser | None = None,
) -> Measure:
    """A week's questionnaire results spawn a measure, linked to that week (its Monday)."""
    if hall.pk != checklist.hall_id:
        raise ValidationError(
            _("The questionnaire week and the checklist belong to different halls."),
            code="hall",
        )
    monday = week_of(week_start)[0]
    if not QuestionnaireResponse.objects.filter(hall=hall, week_start=monday).exists():
        raise ValidationError(
            _("The hall has no questionnaire responses in that week."), code="empty_week"
        )
    return measure_create(
        checklist=checklist,
        title=title,
        deadline=deadline,
        by=by,
        responsible_department=responsible_department,
        responsible_person=responsible_person,
        questionnaire_week=monday,
    )
