"""Reads of the questionnaires: the weekly quota and its progress, per-question results.

A week runs Monday to Sunday in the hall's local time. Only a finished week can be
below its quota; the current week shows how far it has come.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, Max, Q

from evaluations.models import Answer, Question, Questionnaire, QuestionnaireResponse, TabletDevice
from windows.models import Hall
from windows.rules.hall_time import hall_localdate, week_of
from windows.rules.rounding import percent, round_half_up

LATEST_COMMENTS = 10


@dataclass(frozen=True)
class WeekSummary:
    week_start: date
    count: int
    quota: int
    finished: bool

    @property
    def week_end(self) -> date:
        return week_of(self.week_start)[1]

    @property
    def below_quota(self) -> bool:
        """A finished week with fewer responses than the quota (the current week never is)."""
        return self.finished and self.count < self.quota

    @property
    def status(self) -> str:
        """One word for the week, the same on every line that shows it: "quota_met" once
        the responses reach the quota (the current week too), "below_quota" for a finished
        week short of it, "in_progress" for the current week still short of it."""
        if self.count >= self.quota:
            return "quota_met"
        return "below_quota" if self.finished else "in_progress"

    @property
    def progress_pct(self) -> float:
        """The share of the quota reached in percent, 2 decimals half up, at most 100."""
        if not self.quota:
            return 100.0
        return min(100.0, percent(self.count, self.quota))

    @property
    def missing(self) -> int:
        return max(0, self.quota - self.count)


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    text: str
    kind: str
    answers: int
    average_level: float | None = None  # five-level: 2 decimals
    yes: int = 0
    no: int = 0
    choice_counts: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # free text, newest first

    @property
    def yes_share_pct(self) -> float | None:
        if self.kind != Question.Kind.YES_NO or not self.yes + self.no:
            return None
        return percent(self.yes, self.yes + self.no)


@dataclass(frozen=True)
class WeekProgress(WeekSummary):
    questions: list[QuestionResult] = field(default_factory=list)


def _finished(week_start: date, today: date) -> bool:
    return week_start + timedelta(days=7) <= today


def weekly_progress(*, hall: Hall, week_start: date, today: date | None = None) -> WeekProgress:
    """The responses of one week of a hall against its quota, with per-question results."""
    today = today or hall_localdate(hall)
    week_start = week_of(week_start)[0]
    count = QuestionnaireResponse.objects.for_hall(hall).in_week(week_start).count()
    return WeekProgress(
        week_start=week_start,
        count=count,
        quota=hall.weekly_questionnaire_quota,
        finished=_finished(week_start, today),
        questions=_question_results(hall=hall, week_start=week_start) if count else [],
    )


def _question_results(*, hall: Hall, week_start: date) -> list[QuestionResult]:
    answers = Answer.objects.filter(response__hall=hall, response__week_start=week_start)
    totals = {
        row["question"]: row
        for row in answers.values("question").annotate(
            n_answers=Count("pk"),
            n_yes=Count("pk", filter=Q(yes=True)),
            n_no=Count("pk", filter=Q(yes=False)),
            avg_level=Avg("level"),
        )
    }
    choices: dict[int, dict[str, int]] = {}
    for row in (
        answers.filter(question__kind=Question.Kind.SINGLE_CHOICE)
        .values("question", "choice")
        .annotate(n=Count("pk"))
    ):
        choices.setdefault(row["question"], {})[row["choice"]] = row["n"]
    comments: dict[int, list[str]] = {}
    for question_id, text in (
        answers.filter(question__kind=Question.Kind.FREE_TEXT)
        .exclude(text="")
        .order_by("-response__submitted_at", "-pk")
        .values_list("question", "text")
    ):
        texts = comments.setdefault(question_id, [])
        if len(texts) < LATEST_COMMENTS:
            texts.append(text)

    results = []
    questions = Question.objects.filter(pk__in=totals).order_by(
        "questionnaire__created_at", "questionnaire", "order", "pk"
    )
    for question in questions:
        row = totals[question.pk]
        counted = choices.get(question.pk, {})
        offered = list(question.choices) + sorted(set(counted) - set(question.choices))
        results.append(
            QuestionResult(
                question_id=question.pk,
                text=question.text,
                kind=question.kind,
                answers=row["n_answers"],
                average_level=round_half_up(row["avg_level"])
                if question.kind == Question.Kind.FIVE_LEVEL
                else None,
                yes=row["n_yes"],
                no=row["n_no"],
                choice_counts=[(choice, counted.get(choice, 0)) for choice in offered]
                if question.kind == Question.Kind.SINGLE_CHOICE
                else [],
                comments=comments.get(question.pk, []),
            )
        )
    return results


def recent_weeks(*, hall: Hall, weeks: int = 8, today: date | None = None) -> list[WeekSummary]:
    """The current week and the weeks before it, newest first, each against the quota."""
    today = today or hall_localdate(hall)
    current = week_of(today)[0]
    starts = [current - timedelta(weeks=n) for n in range(weeks)]
    counts = dict(
        QuestionnaireResponse.objects.for_hall(hall)
        .filter(week_start__gte=starts[-1], week_start__lte=current)
        .values("week_start")
        .annotate(n=Count("pk"))
        .values_list("week_start", "n")
    )
    return [
        WeekSummary(
            week_start=start,
            count=counts.get(start, 0),
            quota=hall.weekly_questionnaire_quota,
            finished=_finished(start, today),
        )
        for start in starts
    ]


def active_questionnaire(*, hall: Hall) -> Questionnaire | None:
    """The questionnaire a hall's tablets show: the newest one in use."""
    return (
        Questionnaire.objects.for_hall(hall)
        .active()
        .prefetch_related("questions")
        .order_by("-created_at", "-pk")
        .first()
    )


def should_invite(*, device: TabletDevice) -> bool:
    """Whether the tablet should invite its citizen to the questionnaire now.

    True when the tablet invites after every k-th rating (k = questionnaire_every > 0)
    and it has recorded at least k ratings since its last questionnaire response.
    """
    every = device.questionnaire_every
    if every <= 0:
        return False
    last_response = device.questionnaire_responses.aggregate(last=Max("submitted_at"))["last"]
    ratings = device.ratings.all()
    if last_response is not None:
        ratings = ratings.filter(rated_at__gt=last_response)
    return ratings.count() >= every
