"""Reads of rectification checklists and inspections: progress, overdue measures, honours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q

from rectification.models import Inspection, Measure, RectificationChecklist
from windows.models import Hall, Window
from windows.rules.rounding import percent

Status = Measure.Status
FINISHED = (Status.DONE, Status.VERIFIED)


def finished_q(prefix: str = "") -> Q:
    """A finished measure (done or verified); prefix "measures__" from a checklist."""
    return Q(**{f"{prefix}status__in": FINISHED})


def completion_rate_pct(*, finished: int, total: int) -> float | None:
    """整改完成率: finished (done or verified) measures over all, in percent (None if none)."""
    return percent(finished, total)


@dataclass(frozen=True)
class MeasureCompletion:
    total: int
    completed: int  # done or verified

    @property
    def rate_pct(self) -> float | None:
        return completion_rate_pct(finished=self.completed, total=self.total)


def measure_completion(*, hall: Hall) -> MeasureCompletion:
    """The hall's measures done or verified over all measures of its checklists."""
    counts = Measure.objects.for_hall(hall).aggregate(
        total=Count("pk"), completed=Count("pk", filter=finished_q())
    )
    return MeasureCompletion(total=counts["total"], completed=counts["completed"])


@dataclass(frozen=True)
class OverdueMeasure:
    measure: Measure
    days_overdue: int


@dataclass(frozen=True)
class ChecklistProgress:
    checklist: RectificationChecklist
    total: int
    done: int
    verified: int
    in_progress: int
    not_started: int
    overdue: list[OverdueMeasure]

    @property
    def completion_rate_pct(self) -> float | None:
        return completion_rate_pct(finished=self.done + self.verified, total=self.total)


def days_overdue(*, measure: Measure, today: date) -> int:
    """Days past the deadline: until today if unfinished, until completion if finished."""
    end = measure.completed_on if measure.status in FINISHED else today
    if end is None:
        end = today
    return max((end - measure.deadline).days, 0)


_COUNTS = {
    "n_total": Count("measures"),
    "n_done": Count("measures", filter=Q(measures__status=Status.DONE)),
    "n_verified": Count("measures", filter=Q(measures__status=Status.VERIFIED)),
    "n_in_progress": Count("measures", filter=Q(measures__status=Status.IN_PROGRESS)),
    "n_not_started": Count("measures", filter=Q(measures__status=Status.NOT_STARTED)),
}


def _progress_rows(checklists, *, today: date) -> list[ChecklistProgress]:
    checklists = list(checklists.annotate(**_COUNTS))
    overdue: dict[int, list[OverdueMeasure]] = {c.pk: [] for c in checklists}
    for measure in (
        Measure.objects.unfinished()
        .filter(checklist__in=[c.pk for c in checklists], deadline__lt=today)
        .select_related("responsible_department", "responsible_person")
        .order_by("deadline", "order", "pk")
    ):
        overdue[measure.checklist_id].append(
            OverdueMeasure(measure=measure, days_overdue=(today - measure.deadline).days)
        )
    return [
        ChecklistProgress(
            checklist=c,
            total=c.n_total,
            done=c.n_done,
            verified=c.n_verified,
            in_progress=c.n_in_progress,
            not_started=c.n_not_started,
            overdue=overdue[c.pk],
        )
        for c in checklists
    ]


def checklist_progress(*, checklist: RectificationChecklist, today: date) -> ChecklistProgress:
    return _progress_rows(RectificationChecklist.objects.filter(pk=checklist.pk), today=today)[0]


def hall_rectification(*, hall: Hall, today: date) -> list[ChecklistProgress]:
    """Every checklist of the hall, newest period first, with its progress."""
    return _progress_rows(
        RectificationChecklist.objects.for_hall(hall).order_by("-period_start", "-pk"),
        today=today,
    )


@dataclass(frozen=True)
class InspectionResult:
    inspection: Inspection
    best_windows: list[Window]
    worst_windows: list[Window]


def inspection_results(*, hall: Hall, start: date, end: date) -> list[InspectionResult]:
    """The hall's inspections visited in [start, end], oldest first, with named windows."""
    by_number = Window.objects.order_by("number")
    inspections = (
        Inspection.objects.for_hall(hall)
        .filter(visited_on__range=(start, end))
        .prefetch_related(
            Prefetch("best_windows", queryset=by_number),
            Prefetch("worst_windows", queryset=by_number),
        )
        .order_by("visited_on", "pk")
    )
    return [
        InspectionResult(
            inspection=inspection,
            best_windows=list(inspection.best_windows.all()),
            worst_windows=list(inspection.worst_windows.all()),
        )
        for inspection in inspections
    ]


@dataclass(frozen=True)
class WindowInspectionRecord:
    honours: list[Inspection]
    warnings: list[Inspection]


def window_inspection_record(*, window: Window) -> WindowInspectionRecord:
    """The inspections that named the window best (honours) or worst (warnings), newest first."""
    order = ("-visited_on", "-pk")
    return WindowInspectionRecord(
        honours=list(window.inspection_honours.order_by(*order)),
        warnings=list(window.inspection_warnings.order_by(*order)),
    )


def hall_checklists(*, hall: Hall):
    """The hall's checklists a measure can be added to, the latest period first."""
    return RectificationChecklist.objects.filter(hall=hall).order_by("-period_start", "-pk")


def hall_people(*, hall: Hall):
    """Accounts that may be responsible for a hall's measure: its active staff and the
    users granted the hall (managers, supervisors), as the measure admin offers."""
    return (
        get_user_model()
        .objects.filter(Q(staff_profile__hall=hall) | Q(hall_accesses__hall=hall), is_active=True)
        .select_related("staff_profile")
        .distinct()
        .order_by(F("staff_profile__badge_no").asc(nulls_last=True), "username")
    )


def checklist_measures(*, checklists: list[RectificationChecklist]) -> dict[int, list[Measure]]:
    """Every measure of the checklists, in the checklist's order, by checklist id."""
    found: dict[int, list[Measure]] = {checklist.pk: [] for checklist in checklists}
    for measure in (
        Measure.objects.filter(checklist__in=list(found))
        .select_related("responsible_department", "responsible_person__staff_profile")
        .order_by("order", "pk")
    ):
        found[measure.checklist_id].append(measure)
    return found
