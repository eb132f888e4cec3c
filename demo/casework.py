"""How the demo hall worked its cases: every step of each case done by a person of the hall
at a plausible past time, so that the case pages and the dashboard read like a real hall's.

Each case gets a plan (`Step`s): the manager verifies and assigns it, the handler (for a
bad review, the duty leader 值班长 of the day it came in) starts and replies, the manager
calls the citizen back and closes it. Steps fall in business hours (09:00-12:00 and
13:30-17:30) of the hall's business days; most are done well before their deadline, and a
few old cases ran one step late. A step planned after the seed's `now` is not done yet:
the last few business days' cases stay open at their step, and an open case is never past
its deadline unless its plan says so (the demo's designed overdue cases).

The plan is a function of the stored case (a random generator seeded with its channel and
time received), so a later run continues the open cases where the plan goes on, and a run
at the same moment changes nothing. A case whose recorded steps are not those of its plan
(someone worked it by hand in the demo) is left alone, and closed cases are never touched,
except those an earlier seed_demo closed with one UPDATE at run time and no step recorded
(`reopen_cases_closed_without_steps`): they are worked again by their plans.

This module makes the plans; demo.casework_steps does their steps.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from complaints.models import Channel, Complaint
from complaints.services import complaints as services
from complaints.services.deadlines import working_days_for
from evaluations.models import Rating
from windows.models import Hall, Staff
from windows.rules.hall_time import hall_zone
from windows.workdays import business_days

from .roster import roster_plan

Status = Complaint.Status
WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
DAY_MINUTES = 390  # the working minutes of a business day
CALENDAR_CHUNK_DAYS = 62
# Only a case received at least this many business days before the seed's today may have
# run a step late: it is closed by then whatever its plan, so the dashboard's overdue
# cases are the designed ones only.
LATE_AFTER_BUSINESS_DAYS = 15
LATE_SHARE = 0.05
MOVES_TO = {
    services.VERIFY: Status.VERIFIED,
    services.ASSIGN: Status.ASSIGNED,
    services.START: Status.IN_PROGRESS,
    services.REPLY: Status.REPLIED,
    services.CALLBACK: Status.CALLBACK_DONE,
    services.CLOSE: Status.CLOSED,
}


class WorkingTime:
    """The hall's business days and working hours, for stepping through working time.

    The days come from windows.workdays (as the deadlines do), fetched in chunks as far
    as they are needed.
    """

    def __init__(self, *, hall: Hall, first: date) -> None:
        self.hall = hall
        self.zone = hall_zone(hall)
        self._first = first
        self._last = first - timedelta(days=1)
        self._days: list[date] = []
        self._working_days: dict[tuple[str, str], int] = {}

    def _cover(self, day: date) -> None:
        """Fetch the business days up to `day` (and back to it), two months at a time but
        never into the next year before it is needed: the state calendar may not know it
        yet, and windows.workdays warns for each day it guesses."""
        if day < self._first:
            earlier = business_days(hall=self.hall, start=day, end=self._first - timedelta(days=1))
            self._days = earlier + self._days
            self._first = day
        if day > self._last:
            year_end = date(self._last.year, 12, 31)
            end = max(day, min(self._last + timedelta(days=CALENDAR_CHUNK_DAYS), year_end))
            self._days += business_days(
                hall=self.hall, start=self._last + timedelta(days=1), end=end
            )
            self._last = end

    def is_business_day(self, day: date) -> bool:
        self._cover(day)
        index = bisect_left(self._days, day)
        return index < len(self._days) and self._days[index] == day

    def after(self, day: date, n: int) -> date:
        """The n-th business day after day (day itself for 0), as the deadlines count."""
        if n <= 0:
            return day
        self._cover(day)
        while (index := bisect_right(self._days, day) + n - 1) >= len(self._days):
            self._cover(self._last + timedelta(days=7))
        return self._days[index]

    def before(self, day: date, n: int) -> date:
        """The n-th business day before day (n >= 1)."""
        self._cover(day)
        while (index := bisect_left(self._days, day) - n) < 0:
            self._cover(self._first - timedelta(days=CALENDAR_CHUNK_DAYS))
        return self._days[index]

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)

    def end_of(self, day: date) -> datetime:
        return self.at(day, WORK_PERIODS[-1][1])

    def add(self, moment: datetime, minutes: int) -> datetime:
        """The moment `minutes` working minutes after `moment` (a moment out of working
        hours counts from the next working period)."""
        local = self.local(moment).replace(tzinfo=None)
        remaining = timedelta(minutes=minutes)
        day = local.date()
        while True:
            if self.is_business_day(day):
                for start, end in WORK_PERIODS:
                    begins, ends = datetime.combine(day, start), datetime.combine(day, end)
                    local = max(local, begins)
                    if local <= ends:
                        if local + remaining <= ends:
                            return (local + remaining).replace(tzinfo=self.zone)
                        remaining -= ends - local
                        local = ends
            day = self.after(day, 1)
            local = datetime.combine(day, time.min)

    def working_days(self, channel: str, step: str) -> int:
        key = (channel, step)
        if key not in self._working_days:
            self._working_days[key] = working_days_for(hall=self.hall, channel=channel, step=step)
        return self._working_days[key]


@dataclass(frozen=True)
class Step:
    """One step of a case: the service's action, when, by whom, and its arguments."""

    action: str
    at: datetime
    by: AbstractUser
    args: dict[str, Any] = field(default_factory=dict)
    moves_to: str = ""  # the status after the step


@dataclass
class People:
    """Who works the demo hall's cases: its manager and the staff, by badge."""

    manager: AbstractUser
    by_badge: dict[str, AbstractUser]

    @classmethod
    def of(cls, hall: Hall, *, manager_username: str = "manager") -> People | None:
        manager = (
            get_user_model()
            .objects.filter(username=manager_username, hall_accesses__hall=hall, is_active=True)
            .first()
        )
        if manager is None:
            return None
        staff = Staff.objects.filter(hall=hall, is_active=True, user__is_active=True)
        return cls(
            manager=manager,
            by_badge={s.badge_no: s.user for s in staff.select_related("user")},
        )

    def duty_leader(self, day: date) -> AbstractUser:
        """The day's duty leader of the demo roster (roster_plan), else the manager."""
        return self.by_badge.get(roster_plan(day)[1], self.manager)


@dataclass
class Casework:
    """What plans need: the hall's working time, its people and the seed's clock."""

    hall: Hall
    calendar: WorkingTime
    people: People
    now: datetime

    @property
    def today(self) -> date:
        return self.calendar.local(self.now).date()


class Planner:
    """Builds a case's steps one after the other, each timed against its step's deadline."""

    def __init__(self, case: Complaint, work: Casework, *, late: str | None = None) -> None:
        self.case = case
        self.work = work
        self.rng = random.Random(plan_seed(case))
        self.moment = case.received_at
        self.due = case.due_date
        self.late = late  # the action done after its deadline, if any
        self.steps: list[Step] = []
        self.reopened = False

    def do(self, action: str, by: AbstractUser, minutes: int, **args: Any) -> Planner:
        """The action `minutes` working minutes after the previous step, within its
        deadline (or after it, for the late action)."""
        calendar = self.work.calendar
        if action == self.late:
            at = calendar.add(calendar.end_of(self.due), self.rng.randint(30, 2 * DAY_MINUTES))
            self.late = None
        else:
            at = calendar.add(self.moment, minutes)
            if at > calendar.end_of(self.due):  # a stricter deadline rule of the hall
                last_hour = calendar.end_of(self.due) - timedelta(minutes=self.rng.randint(5, 60))
                at = max(calendar.add(self.moment, 1), last_hour)
        moves_to = MOVES_TO[action]
        if action == services.CALLBACK and args["result"] == Complaint.CallbackResult.NOT_SATISFIED:
            if not self.reopened:  # the first time reopens the case (see the service)
                moves_to = Status.IN_PROGRESS
            self.reopened = True
        self.steps.append(Step(action, at, by, args, moves_to))
        self.moment = at
        if moves_to != Status.CLOSED:
            days = calendar.working_days(self.case.channel, moves_to)
            self.due = calendar.after(calendar.local(at).date(), days)
        return self

    def minutes(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def plan_seed(case: Complaint) -> str:
    return f"{case.channel}-{case.received_at.astimezone(UTC).isoformat()}"


# The follow-up of a bad review (差评回访), by its first reason.
REPLIES = {
    Rating.Reason.ATTITUDE: "已与当事工作人员谈话提醒，要求规范使用文明用语，并代表大厅向您致歉。",
    Rating.Reason.LONG_WAIT: "高峰时段等候较长属实，已增开弹性窗口并加强分流引导，建议错峰办理。",
    Rating.Reason.NOTIFICATION: "已电话补充告知所需全部材料，并要求窗口严格执行一次性告知。",
    Rating.Reason.UNSKILLED: "已安排当事工作人员参加业务培训，您的业务已由值班长协助办结。",
    Rating.Reason.OTHER: "已电话了解您反映的情况，相关问题已转交窗口所属部门改进。",
}
UNFOUNDED_REPLY = "经调取窗口录像核实，工作人员按规定办理，已向您解释相关政策和办理流程。"
SECOND_REPLY = "值班长再次电话联系，逐项说明了办理要求，并约定下次来厅优先办理。"
VERIFICATION_NOTES = ("已调取窗口录像核实。", "已向当事工作人员了解情况。", "")
CALLBACK_NOTES = {
    Complaint.CallbackResult.SATISFIED: "市民对处理结果表示满意。",
    Complaint.CallbackResult.UNREACHABLE: "两次致电均未接通，已短信告知处理结果。",
    Complaint.CallbackResult.NOT_SATISFIED: "市民认为答复不够具体，要求进一步说明。",
}
CLOSING_NOTE = "已纳入本周窗口服务讲评。"


def plan_followup(case: Complaint, work: Casework) -> list[Step] | None:
    """The follow-up of a bad review: worked the same or the next business day by the
    manager and the day's duty leader, replied within a day or two, called back the day
    after; one in twenty is not satisfied at the callback and gets a second reply."""
    if case.channel != Channel.BAD_REVIEW:
        return None
    calendar = work.calendar
    received_on = calendar.local(case.received_at).date()
    old = calendar.after(received_on, LATE_AFTER_BUSINESS_DAYS) <= work.today
    plan = Planner(case, work)
    rng = plan.rng
    # Drawn whether or not the case may be late, so that the rest of the plan does not
    # change when it gets old enough.
    late_roll, late_step = rng.random(), rng.choice((services.REPLY, services.CALLBACK))
    if old and late_roll < LATE_SHARE:
        plan.late = late_step
    manager, handler = work.people.manager, work.people.duty_leader(received_on)
    founded = rng.random() < 0.6
    reason = (case.reasons or [Rating.Reason.OTHER])[0]
    reply = REPLIES.get(reason, REPLIES[Rating.Reason.OTHER]) if founded else UNFOUNDED_REPLY
    outcome = rng.choices(
        (
            Complaint.CallbackResult.SATISFIED,
            Complaint.CallbackResult.UNREACHABLE,
            Complaint.CallbackResult.NOT_SATISFIED,
        ),
        weights=(86, 9, 5),
    )[0]
    plan.do(services.VERIFY, manager, plan.minutes(15, 120), note=rng.choice(VERIFICATION_NOTES))
    plan.do(services.ASSIGN, manager, plan.minutes(3, 30), handler=handler)
    plan.do(services.START, handler, plan.minutes(10, 90))
    plan.do(services.REPLY, handler, plan.minutes(120, 2 * DAY_MINUTES), reply=reply)
    callback = plan.minutes(200, DAY_MINUTES)
    plan.do(services.CALLBACK, manager, callback, result=outcome, note=CALLBACK_NOTES[outcome])
    if outcome == Complaint.CallbackResult.NOT_SATISFIED:
        plan.do(services.REPLY, handler, plan.minutes(60, DAY_MINUTES), reply=SECOND_REPLY)
        satisfied = Complaint.CallbackResult.SATISFIED
        plan.do(
            services.CALLBACK,
            manager,
            plan.minutes(30, DAY_MINUTES),
            result=satisfied,
            note=CALLBACK_NOTES[satisfied],
        )
    verdict = Complaint.Verdict.SUBSTANTIATED if founded else Complaint.Verdict.UNSUBSTANTIATED
    plan.do(
        services.CLOSE,
        manager,
        plan.minutes(10, 240),
        verdict=verdict,
        note=CLOSING_NOTE if founded else "",
    )
    return plan.steps


def casework_start(
    *, hall: Hall, now: datetime, manager_username: str = "manager"
) -> Casework | None:
    """The context plans need; None when the hall's demo manager is missing."""
    people = People.of(hall, manager_username=manager_username)
    if people is None:
        return None
    first = Complaint.objects.for_hall(hall).open().order_by("received_at").first()
    start = (first.received_at if first else now).astimezone(hall_zone(hall)).date()
    return Casework(hall=hall, calendar=WorkingTime(hall=hall, first=start), people=people, now=now)


def demo_now(*, hall: Hall, today: date) -> datetime:
    """The seed's clock: now on the real today, else the evening of `today`."""
    now = timezone.now()
    if now.astimezone(hall_zone(hall)).date() == today:
        return now
    return datetime.combine(today, time(18, 0), tzinfo=hall_zone(hall))
