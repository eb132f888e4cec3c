"""The hall's headline figures for any set of visits, computed in the database.

Evaluation rate (评价率) = rated completed visits / completed visits;
satisfaction rate (满意率) = good reviews (levels 3-5) / ratings (domain.md). A rating judged
malicious or mistaken when its case was verified still counts as rated, but not in the
satisfaction rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from evaluations.models import Rating
from windows.models import Visit


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage with 2 decimals (half up); None when whole is 0."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ServiceFigures:
    visits: int  # 接待人次: completed visits
    items: int  # 办件量: items of completed visits
    rated: int
    good: int
    bad: int
    transferred: int
    no_shows: int
    excluded: int  # ratings judged malicious or mistaken: kept, but not in satisfaction

    @property
    def evaluation_rate_pct(self) -> float | None:
        return percent(self.rated, self.visits)

    @property
    def satisfaction_rate_pct(self) -> float | None:
        return percent(self.good, self.rated - self.excluded)


def figure_aggregates() -> dict:
    """The aggregate expressions behind ServiceFigures, for aggregate() or a grouped annotate()."""
    completed = Q(status=Visit.Status.COMPLETED)
    rated = completed & Q(rating__isnull=False)
    judged = rated & Q(rating__excluded="")
    return {
        "visits": Count("pk", filter=completed),
        "items": Sum("item_count", filter=completed, default=0),
        "rated": Count("pk", filter=rated),
        "good": Count("pk", filter=judged & Q(rating__level__gte=Rating.GOOD_FROM)),
        "bad": Count("pk", filter=judged & Q(rating__level__lt=Rating.GOOD_FROM)),
        "excluded": Count("pk", filter=rated & ~Q(rating__excluded="")),
        "transferred": Count("pk", filter=Q(status=Visit.Status.TRANSFERRED)),
        "no_shows": Count("pk", filter=Q(status=Visit.Status.NO_SHOW)),
    }


def service_figures(visits: QuerySet[Visit]) -> ServiceFigures:
    """Figures of the given visits (already filtered by hall, window, staff, dates...)."""
    return ServiceFigures(**visits.aggregate(**figure_aggregates()))
