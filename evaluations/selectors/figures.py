"""The hall's headline figures for any set of visits, computed in the database.

Evaluation rate (评价率) = rated completed visits / completed visits;
satisfaction rate (满意率) = good / (rated - excluded). Good, bad and excluded are the
classes of evaluations.rules: a rating judged malicious or mistaken at 预审 still counts as
rated, but is neither good nor bad. Historical bad reviews (imported after their follow-up
deadline had passed, so no case was opened) count like any other rating, and once more on
their own (`historical_bad`, 历史差评，未纳入回访).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from evaluations import rules
from windows.models import Visit

RATING = "rating__"  # the rules' path from a visit to its rating


@dataclass(frozen=True)
class ServiceFigures:
    visits: int  # 接待人次: completed visits
    items: int  # 办件量: items of completed visits
    rated: int
    good: int
    bad: int
    transferred: int
    no_shows: int
    excluded: int  # ratings judged malicious or mistaken: rated, neither good nor bad
    historical_bad: int  # of `bad`: imported past their follow-up deadline, no case opened

    @property
    def evaluation_rate_pct(self) -> float | None:
        return rules.evaluation_rate_pct(rated=self.rated, visits=self.visits)

    @property
    def satisfaction_rate_pct(self) -> float | None:
        return rules.satisfaction_rate_pct(good=self.good, rated=self.rated, excluded=self.excluded)


def figure_aggregates() -> dict:
    """The aggregate expressions behind ServiceFigures, for aggregate() or a grouped annotate()."""
    completed = Q(status=Visit.Status.COMPLETED)
    return {
        "visits": Count("pk", filter=completed),
        "items": Sum("item_count", filter=completed, default=0),
        "rated": Count("pk", filter=completed & rules.rated_q(RATING)),
        "good": Count("pk", filter=completed & rules.good_q(RATING)),
        "bad": Count("pk", filter=completed & rules.bad_q(RATING)),
        "excluded": Count("pk", filter=completed & rules.excluded_q(RATING)),
        "historical_bad": Count(
            "pk",
            filter=completed & rules.bad_q(RATING) & Q(rating__historical_followup_skipped=True),
        ),
        "transferred": Count("pk", filter=Q(status=Visit.Status.TRANSFERRED)),
        "no_shows": Count("pk", filter=Q(status=Visit.Status.NO_SHOW)),
    }


def service_figures(visits: QuerySet[Visit]) -> ServiceFigures:
    """Figures of the given visits (already filtered by hall, window, staff, dates...)."""
    return ServiceFigures(**visits.aggregate(**figure_aggregates()))
