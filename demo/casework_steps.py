"""Doing the steps of the demo hall's case plans (demo.casework) up to the seed's `now`.

Steps are done through the complaint services (complaints.services.complaints) with the
clock set to the step's time, so due dates, timestamps and history rows are exactly what
the hall would have recorded. The services take ~5 ms a step, too slow for the ~900 cases
of two years of bad reviews, so cases received more than RECENT_DAYS before `now` are
written in bulk: `apply_step` makes the same changes as the services, the cases are saved
by `update_cases` and the history rows stored with `bulk_history_create`
(tests/demo/test_seed_demo.py plays one plan both ways and compares every field).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.db import connections
from django.db.models import F
from django.utils import timezone

from complaints.history_notes import case_note
from complaints.models import Complaint
from complaints.services import complaints as services
from windows.models import Hall

from .casework import Casework, Step

Status = Complaint.Status
# Cases received longer ago than this are written in bulk (see the module docstring).
RECENT_DAYS = 31
BULK_BATCH = 500

SERVICES: dict[str, Callable[..., Complaint]] = {
    services.VERIFY: services.complaint_verify,
    services.ASSIGN: services.complaint_assign,
    services.START: services.complaint_start,
    services.REPLY: services.complaint_reply,
    services.CALLBACK: services.complaint_record_callback,
    services.CLOSE: services.complaint_close,
}


@contextmanager
def hall_clock(moment: datetime):
    """Django's clock stopped at `moment`, for the services to do a step at its time."""
    utc = moment.astimezone(UTC)
    with mock.patch.object(timezone, "now", lambda: utc):
        yield


def play(case: Complaint, steps: Iterable[Step]) -> Complaint:
    """Do the steps through the complaint services, each at its own time."""
    for step in steps:
        with hall_clock(step.at):
            case = SERVICES[step.action](complaint=case, by=step.by, **step.args)
    return case


def apply_step(case: Complaint, step: Step, work: Casework) -> str:
    """Make the step's changes to the case as its service does; returns the history's
    reason. The bulk path's copy of complaints.services.complaints (see the docstring)."""
    args = step.args
    if step.action == services.VERIFY:
        case.verification_note = args.get("note", "")
        reason = case_note("verified")
    elif step.action == services.ASSIGN:
        case.handler = args["handler"]
        reason = case_note("assigned", handler=args["handler"].pk)
    elif step.action == services.START:
        reason = case_note("started")
    elif step.action == services.REPLY:
        case.reply = args["reply"]
        case.replied_at = step.at
        reason = case_note("replied")
    elif step.action == services.CALLBACK:
        result = args["result"]
        case.callback_result = result
        case.callback_note = args.get("note", "")
        case.callback_at = step.at
        if result == Complaint.CallbackResult.NOT_SATISFIED and case.reopen_count == 0:
            case.reopen_count = 1
            reason = case_note("callback_reopened")
        elif result == Complaint.CallbackResult.NOT_SATISFIED:
            case.escalated = True
            reason = case_note("callback_escalated")
        else:
            reason = case_note("callback", result=result)
    else:
        case.verdict = args["verdict"]
        case.closing_note = args.get("note", "")
        case.closed_at = step.at
        reason = case_note("closed", verdict=args["verdict"])
    case.status = step.moves_to
    if case.status != Status.CLOSED:
        days = work.calendar.working_days(case.channel, case.status)
        case.due_date = work.calendar.after(work.calendar.local(step.at).date(), days)
    return reason


BULK_FIELDS = (
    "status",
    "due_date",
    "handler",
    "verification_note",
    "reply",
    "replied_at",
    "callback_result",
    "callback_note",
    "callback_at",
    "reopen_count",
    "escalated",
    "verdict",
    "closing_note",
    "closed_at",
)


def write_in_bulk(work: Casework, plans: Sequence[tuple[Complaint, list[Step]]]) -> None:
    """Do the steps of many cases at once: the same rows as `play`, in a few queries."""
    records = []
    for case, steps in plans:
        for step in steps:
            reason = apply_step(case, step, work)
            record = copy.copy(case)
            record._history_date = step.at
            record._history_user = step.by
            record._change_reason = reason
            records.append(record)
    Complaint.history.bulk_history_create(records, update=True, batch_size=BULK_BATCH)
    update_cases([case for case, _steps in plans])


def update_cases(cases: Sequence[Complaint]) -> None:
    """Save the BULK_FIELDS of the cases: one UPDATE statement run for each (executemany).

    What bulk_update stores, without its CASE WHEN per field and case: building those
    took most of the time of the bulk path for the thousand cases of the demo's two years.
    """
    if not cases:
        return
    connection = connections[Complaint.objects.db]
    fields = [Complaint._meta.get_field(name) for name in BULK_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(Complaint._meta.db_table)} SET {assignments} "
        f"WHERE {quote(Complaint._meta.pk.column)} = %s"
    )
    rows = [
        [field.get_db_prep_save(getattr(case, field.attname), connection) for field in fields]
        + [case.pk]
        for case in cases
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def backdate_registration(cases: Sequence[Complaint]) -> None:
    """A case's registration is recorded at the time it was received, not when the seed
    ran (the services stamp it with the clock of the run)."""
    history = Complaint.history.model.objects
    for case in cases:
        case.created_at = case.received_at
    for start in range(0, len(cases), BULK_BATCH):
        ids = [case.pk for case in cases[start : start + BULK_BATCH]]
        history.filter(id__in=ids, history_type="+").update(
            history_date=F("received_at"), created_at=F("received_at")
        )
        Complaint.objects.filter(pk__in=ids).update(created_at=F("received_at"))


PlanFor = Callable[[Complaint, Casework], "list[Step] | None"]


def work_open_cases(*, work: Casework, planners: Sequence[PlanFor]) -> int:
    """Do the steps of every open case of the hall that its plan has done by `now`;
    returns how many steps were done."""
    cases = Complaint.objects.for_hall(work.hall).open().filter(received_at__lte=work.now)
    open_cases = list(cases.select_related("hall").order_by("received_at", "pk"))
    done = defaultdict(list)
    for case_id, status in (
        Complaint.history.model.objects.filter(id__in=cases.values("pk"), history_type="~")
        .order_by("history_date", "history_id")
        .values_list("id", "status")
    ):
        done[case_id].append(status)
    fresh, recent, steps_done = [], [], 0
    bulk: list[tuple[Complaint, list[Step]]] = []
    recent_from = work.now - timedelta(days=RECENT_DAYS)
    for case in open_cases:
        plan = next((p for planner in planners if (p := planner(case, work)) is not None), None)
        if plan is None:
            continue
        statuses = done[case.pk]
        if [step.moves_to for step in plan[: len(statuses)]] != statuses:
            continue  # worked by hand: not the demo's to continue
        due = [step for step in plan[len(statuses) :] if step.at <= work.now]
        if not statuses:
            fresh.append(case)
        if not due:
            continue
        steps_done += len(due)
        if not statuses and case.received_at < recent_from:
            bulk.append((case, due))
        else:
            recent.append((case, due))
    backdate_registration(fresh)
    for start in range(0, len(bulk), BULK_BATCH):
        write_in_bulk(work, bulk[start : start + BULK_BATCH])
    for case, due in recent:
        play(case, due)
    return steps_done


def reopen_cases_closed_without_steps(*, hall: Hall) -> int:
    """Put back as registered the cases an earlier seed_demo closed with one UPDATE at run
    time (before issue 9: "closed" today, no step in the history), so that their plans are
    worked like a new case's; returns how many. A case closed through the services always
    has its steps in the history, so this finds nothing in a hall seeded since."""
    history = Complaint.history.model.objects
    cases = list(
        Complaint.objects.for_hall(hall)
        .filter(status=Status.CLOSED)
        .exclude(pk__in=history.filter(history_type="~").values("id"))
    )
    registered = {
        row.id: row
        for row in history.filter(id__in=[case.pk for case in cases], history_type="+").iterator()
    }
    cases = [case for case in cases if case.pk in registered]
    for case in cases:
        for name in BULK_FIELDS:
            attname = Complaint._meta.get_field(name).attname
            setattr(case, attname, getattr(registered[case.pk], attname))
    update_cases(cases)
    return len(cases)
