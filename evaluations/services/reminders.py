"""The daily reminder (催办提醒): each responsible person's cases and measures due soon or late.

One email per person per day: the ReminderSent row is created in the transaction that sends
the email, so a second run of the job the same day (or two workers running it at once)
finds the row and sends nothing; a failed send rolls the row back and the next run retries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string

from evaluations.models import Complaint, Measure, ReminderSent
from windows.models import Hall
from windows.workdays import business_days

logger = logging.getLogger(__name__)

DUE_SOON_WORKING_DAYS = 2
# Long enough to find 2 business days after any run of holidays (Spring Festival included).
SEARCH_SPAN_DAYS = 31


@dataclass
class Reminder:
    """What one person is reminded of on one day."""

    day: date
    cases: list[Complaint] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)


def due_soon_cutoff(*, hall: Hall, day: date) -> date:
    """The last due date that counts as due soon: the 2nd business day of the hall after day."""
    found = business_days(
        hall=hall, start=day + timedelta(days=1), end=day + timedelta(days=SEARCH_SPAN_DAYS)
    )
    if len(found) < DUE_SOON_WORKING_DAYS:
        return day + timedelta(days=SEARCH_SPAN_DAYS)
    return found[DUE_SOON_WORKING_DAYS - 1]


def reminders_due(*, day: date) -> dict[int, Reminder]:
    """The reminders of the day, by user id: open cases they handle and unfinished measures
    they answer for, due on or before the hall's due-soon cutoff (overdue ones included)."""
    cutoffs = {hall.pk: due_soon_cutoff(hall=hall, day=day) for hall in Hall.objects.all()}
    if not cutoffs:
        return {}
    case_due = Q()
    measure_due = Q()
    for hall_id, cutoff in cutoffs.items():
        case_due |= Q(hall_id=hall_id, due_date__lte=cutoff)
        measure_due |= Q(checklist__hall_id=hall_id, deadline__lte=cutoff)
    reminders: dict[int, Reminder] = defaultdict(lambda: Reminder(day=day))
    cases = (
        Complaint.objects.open().filter(case_due, handler__isnull=False).order_by("due_date", "pk")
    )
    for case in cases:
        reminders[case.handler_id].cases.append(case)
    measures = (
        Measure.objects.unfinished()
        .filter(measure_due, responsible_person__isnull=False)
        .select_related("checklist")
        .order_by("deadline", "checklist_id", "order", "pk")
    )
    for measure in measures:
        reminders[measure.responsible_person_id].measures.append(measure)
    return dict(reminders)


def _rows(reminder: Reminder) -> tuple[list[dict], list[dict]]:
    day = reminder.day
    cases = [
        {
            "case": case,
            "overdue_days": max((day - case.due_date).days, 0),
        }
        for case in reminder.cases
    ]
    measures = [
        {
            "measure": measure,
            "overdue_days": max((day - measure.deadline).days, 0),
        }
        for measure in reminder.measures
    ]
    return cases, measures


def reminder_send(*, user, reminder: Reminder) -> bool:
    """Send one person's reminder of the day unless it went out already; True if sent."""
    cases, measures = _rows(reminder)
    context = {"user": user, "day": reminder.day, "cases": cases, "measures": measures}
    subject = " ".join(render_to_string("evaluations/email/reminder_subject.txt", context).split())
    body = render_to_string("evaluations/email/reminder_body.txt", context)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=user, day=reminder.day)
            send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return False
    return True


def reminders_send(*, day: date) -> int:
    """Email every responsible person their cases and measures due soon or overdue; returns
    how many emails went out. Users without an email address (or inactive) are skipped."""
    reminders = reminders_due(day=day)
    if not reminders:
        return 0
    already = set(
        ReminderSent.objects.filter(day=day, user_id__in=reminders).values_list(
            "user_id", flat=True
        )
    )
    users = (
        get_user_model()
        .objects.filter(pk__in=set(reminders) - already, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    sent = 0
    for user in users:
        if reminder_send(user=user, reminder=reminders[user.pk]):
            sent += 1
    logger.info("Daily reminders for %s: %s sent.", day, sent)
    return sent
