"""The staff member's day on the console: today's visits with their ratings, the figures.

Shown on the staff console through the `windows.hooks.console_panels` hook, which
evaluations registers in its AppConfig.ready() (evaluations/panels.py).

The figures are today's only and are read from the visits listed beside them, not the
daily rollups: one staff member's day is a few dozen visits (the (staff, service_date)
index), and the counts then always match the rows shown, to the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Prefetch

from evaluations.models import Rating
from evaluations.rules import judged_q, rating_class
from evaluations.selectors.figures import ServiceFigures, service_figures
from windows.console.selectors import staff_visits_today
from windows.models import ServiceItem, Staff, Visit


@dataclass(frozen=True)
class VisitRow:
    visit: Visit
    item_names: tuple[str, ...]
    rating_level: int | None
    rating_label: str
    rating_class: str  # "good", "bad", "excluded" (evaluations.rules) or "" when unrated

    @property
    def duration(self) -> timedelta | None:
        return self.visit.service_time

    @property
    def duration_text(self) -> str:
        """Minutes and seconds of service, e.g. 8:05 (hours first past an hour)."""
        if self.duration is None:
            return "—"
        minutes, seconds = divmod(int(self.duration.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(frozen=True)
class LevelCount:
    level: int
    label: str
    count: int


@dataclass(frozen=True)
class ConsoleDay:
    rows: tuple[VisitRow, ...]
    figures: ServiceFigures
    ratings: tuple[LevelCount, ...]


def console_day(*, staff: Staff, today: date) -> ConsoleDay:
    """Today's visits of the staff member, newest first, their figures and ratings.

    Only visits whose service started: a ticket the staff member has called and that is
    not at the window yet (the queue's 叫号) is shown by the console's calling panel, not
    in the day's list, and has no service time or rating to show.
    """
    visits = staff_visits_today(staff=staff, today=today).filter(started_at__isnull=False)
    rows_qs = (
        visits.select_related("window")
        .annotate(rating_level=F("rating__level"), rating_excluded=F("rating__excluded"))
        .prefetch_related(Prefetch("service_items", queryset=ServiceItem.objects.order_by("code")))
        .order_by("-started_at")
    )
    labels = dict(Rating.Level.choices)
    rows = tuple(
        VisitRow(
            visit=visit,
            item_names=tuple(item.name for item in visit.service_items.all()),
            rating_level=visit.rating_level,
            rating_label=str(labels.get(visit.rating_level, "")),
            rating_class=(
                rating_class(level=visit.rating_level, excluded=visit.rating_excluded)
                if visit.rating_level
                else ""
            ),
        )
        for visit in rows_qs
    )
    # The levels of the ratings that count (an excluded one is shown apart, in the figures).
    counts = dict(
        Rating.objects.filter(judged_q(), visit__in=visits)
        .values_list("level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    ratings = tuple(
        LevelCount(level=level, label=str(label), count=counts.get(level, 0))
        for level, label in sorted(labels.items(), reverse=True)
    )
    return ConsoleDay(rows=rows, figures=service_figures(visits), ratings=ratings)
