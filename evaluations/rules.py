"""The classes of a rating (contracts.md section 5): one definition for every figure.

- good review (好评): level 3-5 and not excluded;
- bad review (差评): level 1-2 and not excluded;
- excluded (剔除): judged malicious or mistaken at 预审 (`Rating.excluded` set). It stays
  rated (it counts in the evaluation rate) but is neither good nor bad, and is shown as its
  own count.

Evaluation rate (评价率) = rated completed visits / completed visits;
satisfaction rate (满意率) = good / (rated - excluded).

The Q builders take the path to the rating: "" on Rating querysets, "rating__" on Visit
querysets (e.g. `Count("pk", filter=bad_q("rating__"))`), "visit__rating__" further away.
Rating.objects.good() / bad() / excluded(), the figures of every page, bulletin, workbook
and API use them; nothing else says what a good or bad review is.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q

from windows.rules.rounding import percent

GOOD_FROM = 3  # levels 3 (基本满意) to 5 (非常满意) are good, 1 and 2 bad
NOT_EXCLUDED = ""

RatingClass = Literal["good", "bad", "excluded"]


def _q(prefix: str, **lookups) -> Q:
    return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})


def rated_q(prefix: str = "") -> Q:
    """There is a rating (on a Rating queryset, every row is one)."""
    if not prefix:
        return Q(pk__isnull=False)
    return Q(**{f"{prefix}isnull": False})


def excluded_q(prefix: str = "") -> Q:
    """A rating judged malicious or mistaken at 预审: rated, but neither good nor bad."""
    return rated_q(prefix) & ~_q(prefix, excluded=NOT_EXCLUDED)


def judged_q(prefix: str = "") -> Q:
    """A rating that counts in the satisfaction rate: rated and not excluded."""
    return _q(prefix, excluded=NOT_EXCLUDED)


def good_q(prefix: str = "") -> Q:
    """A good review (好评): level 3-5, not excluded."""
    return _q(prefix, excluded=NOT_EXCLUDED, level__gte=GOOD_FROM)


def bad_q(prefix: str = "") -> Q:
    """A bad review (差评): level 1-2, not excluded."""
    return _q(prefix, excluded=NOT_EXCLUDED, level__lt=GOOD_FROM)


def rating_class(*, level: int, excluded: str = NOT_EXCLUDED) -> RatingClass:
    """The class of one rating, as the Q builders decide it in the database."""
    if excluded != NOT_EXCLUDED:
        return "excluded"
    return "good" if level >= GOOD_FROM else "bad"


def evaluation_rate_pct(*, rated: int, visits: int) -> float | None:
    """评价率: rated completed visits over completed visits, in percent (None without visits)."""
    return percent(rated, visits)


def satisfaction_rate_pct(*, good: int, rated: int, excluded: int) -> float | None:
    """满意率: good reviews over the ratings not excluded, in percent (None without any)."""
    return percent(good, rated - excluded)
