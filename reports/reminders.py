"""The daily reminder (催办提醒): every open case and unfinished measure due soon or late
reaches someone.

A case goes to its handler and a measure to its responsible person. One without either
(未分派) goes to its hall's managers and the hall's duty leaders of the day, in a section
of its own, so nothing due falls through. A person gets one email a day with whatever is
theirs: their own items, and the unassigned items of the halls they manage or lead.

One email per person per day: the ReminderSent row is created as a claim (sending, with the
email's own Message-ID) in a transaction committed before the SMTP call and marked sent
after it, so a second run of the job the same day (or two workers running it at once, or
the task redelivered after its worker was killed mid-send) finds the row and sends nothing.
A claim older than REMINDER_STALE_AFTER (longer than the task's hard time limit) belongs to
a dead attempt and is sent again with the same Message-ID: the one remaining window, as for
the bulletins (the server may have taken the email before that attempt died). A failed send
deletes its claim and the next run retries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from complaints.models import Complaint
from complaints.services.alerts import duty_leader_ids
from rectification.models import Measure
from reports.models import ReminderSent
from windows import contacts, roles
from windows.mail import new_message_id, send_mail
from windows.models import Hall
from windows.workdays import business_days

logger = logging.getLogger(__name__)

DUE_SOON_WORKING_DAYS = 2
# Long enough to find 2 business days after any run of holidays (Spring Festival included).
SEARCH_SPAN_DAYS = 31


@dataclass
class Unassigned:
    """A hall's cases without a handler and measures without a responsible person."""

    hall: Hall
    cases: list[Complaint] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cases) + len(self.measures)


@dataclass
class Reminder:
    """What one person is reminded of on one day: their own items, then the unassigned
    items of each hall they manage or lead that day."""

    day: date
    cases: list[Complaint] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)


def due_soon_cutoff(*, hall: Hall, day: date) -> date:
    """The last due date that counts as due soon: the 2nd business day of the hall after day."""
    found = business_days(
        hall=hall, start=day + timedelta(days=1), end=day + timedelta(days=SEARCH_SPAN_DAYS)
    )
    if len(found) < DUE_SOON_WORKING_DAYS:
        return day + timedelta(days=SEARCH_SPAN_DAYS)
    return found[DUE_SOON_WORKING_DAYS - 1]


def unassigned_recipient_ids(*, hall: Hall, day: date) -> set[int]:
    """Who answers for a hall's unassigned items on the day: its managers and duty leaders."""
    return set(roles.hall_managers(hall).values_list("pk", flat=True)) | set(
        duty_leader_ids(hall=hall, day=day)
    )


def _due_items(*, day: date, halls: dict[int, Hall]) -> tuple[list[Complaint], list[Measure]]:
    """Open cases and unfinished measures due on or before their hall's due-soon cutoff."""
    case_due = Q()
    measure_due = Q()
    for hall_id, hall in halls.items():
        cutoff = due_soon_cutoff(hall=hall, day=day)
        case_due |= Q(hall_id=hall_id, due_date__lte=cutoff)
        measure_due |= Q(checklist__hall_id=hall_id, deadline__lte=cutoff)
    cases = Complaint.objects.open().filter(case_due).order_by("due_date", "pk")
    measures = (
        Measure.objects.unfinished()
        .filter(measure_due)
        .select_related("checklist")
        .order_by("deadline", "checklist_id", "order", "pk")
    )
    return list(cases), list(measures)


@dataclass
class Plan:
    """The day's reminders by user id, and every due item by hall (to see who is missed)."""

    reminders: dict[int, Reminder]
    due: dict[Hall, set[tuple[str, int]]]


def _item(obj: Complaint | Measure) -> tuple[str, int]:
    return ("case" if isinstance(obj, Complaint) else "measure", obj.pk)


def reminders_plan(*, day: date) -> Plan:
    """Who is reminded of what on the day (see reminders_due)."""
    halls = {hall.pk: hall for hall in Hall.objects.order_by("code")}
    reminders: dict[int, Reminder] = defaultdict(lambda: Reminder(day=day))
    due: dict[Hall, set[tuple[str, int]]] = defaultdict(set)
    if not halls:
        return Plan(reminders={}, due={})
    cases, measures = _due_items(day=day, halls=halls)
    unassigned: dict[int, Unassigned] = {}
    for hall_id, person_id, item in [
        *((c.hall_id, c.handler_id, c) for c in cases),
        *((m.checklist.hall_id, m.responsible_person_id, m) for m in measures),
    ]:
        due[halls[hall_id]].add(_item(item))
        if person_id is not None:
            target = reminders[person_id]
        else:
            target = unassigned.setdefault(hall_id, Unassigned(hall=halls[hall_id]))
        (target.cases if isinstance(item, Complaint) else target.measures).append(item)
    for hall_id in sorted(unassigned, key=lambda pk: halls[pk].code):
        for user_id in unassigned_recipient_ids(hall=halls[hall_id], day=day):
            reminders[user_id].unassigned.append(unassigned[hall_id])
    return Plan(reminders=dict(reminders), due=dict(due))


def reminders_due(*, day: date) -> dict[int, Reminder]:
    """The reminders of the day, by user id.

    Open cases and unfinished measures due on or before their hall's due-soon cutoff
    (overdue ones included) go to their handler / responsible person; those without one go
    to the hall's managers and duty leaders of the day, as the hall's unassigned section.
    """
    return reminders_plan(day=day).reminders


def _rows(items: list, day: date, due: str) -> list[dict]:
    return [
        {"item": item, "overdue_days": max((day - getattr(item, due)).days, 0)} for item in items
    ]


def reminder_context(*, user, reminder: Reminder) -> dict:
    day = reminder.day
    sections = []
    if reminder.cases or reminder.measures:
        sections.append(
            {
                "hall": None,
                "cases": _rows(reminder.cases, day, "due_date"),
                "measures": _rows(reminder.measures, day, "deadline"),
            }
        )
    for group in reminder.unassigned:
        sections.append(
            {
                "hall": group.hall,
                "cases": _rows(group.cases, day, "due_date"),
                "measures": _rows(group.measures, day, "deadline"),
            }
        )
    return {
        "user": user,
        "day": day,
        "sections": sections,
        "cases": len(reminder.cases) + sum(len(g.cases) for g in reminder.unassigned),
        "measures": len(reminder.measures) + sum(len(g.measures) for g in reminder.unassigned),
        "unassigned": sum(len(g) for g in reminder.unassigned),
    }


class RemindersInProgress(Exception):
    """Another attempt holds fresh claims on some reminders; look again after `wait` s."""

    def __init__(self, count: int, wait: float):
        super().__init__(f"{count} reminder(s) being sent by another attempt")
        self.count = count
        self.wait = wait


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.REMINDER_STALE_AFTER)


def _claim(*, user, day: date) -> tuple[ReminderSent, bool] | None:
    """Claim the person's reminder of the day in its own committed transaction.

    Returns (the claim, True) to send now (new, or stale: its attempt died); None when it
    was sent; (the row unchanged, False) when another attempt's claim is fresh.
    """
    now = timezone.now()
    with transaction.atomic():
        row, created = ReminderSent.objects.select_for_update().get_or_create(
            user=user,
            day=day,
            defaults={
                "status": ReminderSent.Status.SENDING,
                "claimed_at": now,
                "message_id": new_message_id(),
            },
        )
        if created:
            return row, True
        if row.status == ReminderSent.Status.SENT:
            return None
        if row.claimed_at and row.claimed_at > now - _stale_after():
            return row, False
        logger.warning(
            "Daily reminder for %s: the claim for %s was stale (its attempt died while "
            "sending); sending it again with the same Message-ID %s.",
            day,
            user,
            row.message_id,
        )
        row.claimed_at = now
        row.message_id = row.message_id or new_message_id()
        row.save(update_fields=["claimed_at", "message_id"])
    return row, True


def reminder_send(*, user, reminder: Reminder) -> bool | ReminderSent:
    """Send one person's reminder of the day unless it went out already; True if sent, the
    claim when another attempt is sending it right now."""
    context = reminder_context(user=user, reminder=reminder)
    subject = " ".join(render_to_string("reports/email/reminder_subject.txt", context).split())
    body = render_to_string("reports/email/reminder_body.txt", context)
    claimed = _claim(user=user, day=reminder.day)
    if claimed is None:
        return False
    claim, send_now = claimed
    if not send_now:
        return claim
    try:
        send_mail(subject, body, None, [contacts.email_of(user)], message_id=claim.message_id)
    except Exception:
        with transaction.atomic():  # nothing went out: the next run sends it anew
            ReminderSent.objects.filter(pk=claim.pk, claimed_at=claim.claimed_at).delete()
        raise
    with transaction.atomic():
        ReminderSent.objects.filter(pk=claim.pk).update(
            status=ReminderSent.Status.SENT, sent_at=timezone.now()
        )
    return True


def _items_of(reminder: Reminder) -> set[tuple[str, int]]:
    items = {_item(obj) for obj in (*reminder.cases, *reminder.measures)}
    for group in reminder.unassigned:
        items |= {_item(obj) for obj in (*group.cases, *group.measures)}
    return items


def reminders_send(*, day: date) -> int:
    """Email every person their reminder of the day; returns how many emails went out.

    Inactive users and users without an email address are skipped with a log line. A hall
    with due items that reach nobody at all (no handler, manager or duty leader who can be
    emailed) is named in a warning with the number of those items.
    """
    plan = reminders_plan(day=day)
    users = (
        get_user_model()
        .objects.filter(pk__in=plan.reminders)
        .select_related("staff_profile")
        .order_by("pk")
    )
    reachable = {}
    for user in users:
        if not user.is_active:
            logger.info("Daily reminder for %s: %s is inactive, skipped.", day, user)
        elif not contacts.email_of(user):
            logger.info("Daily reminder for %s: %s has no email address, skipped.", day, user)
        else:
            reachable[user.pk] = user
    reached = set()
    for user_id in reachable:
        reached |= _items_of(plan.reminders[user_id])
    for hall, items in sorted(plan.due.items(), key=lambda pair: pair[0].code):
        if missed := len(items - reached):
            logger.warning(
                "Daily reminders for %s: %s due item(s) of %s reach nobody (no handler, "
                "manager or duty leader with an email address).",
                day,
                missed,
                hall,
            )
    already = set(
        ReminderSent.objects.filter(
            day=day, user_id__in=reachable, status=ReminderSent.Status.SENT
        ).values_list("user_id", flat=True)
    )
    sent = 0
    claimed_elsewhere: list[ReminderSent] = []
    for user_id, user in reachable.items():
        if user_id in already:
            continue
        outcome = reminder_send(user=user, reminder=plan.reminders[user_id])
        if isinstance(outcome, ReminderSent):
            claimed_elsewhere.append(outcome)
        elif outcome:
            sent += 1
    logger.info(
        "Daily reminders for %s: %s sent, %s being sent by another attempt.",
        day,
        sent,
        len(claimed_elsewhere),
    )
    if claimed_elsewhere:
        youngest = max(row.claimed_at for row in claimed_elsewhere)
        wait = (youngest + _stale_after() - timezone.now()).total_seconds()
        raise RemindersInProgress(len(claimed_elsewhere), max(wait, 0) + 1)
    return sent
