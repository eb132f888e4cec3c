"""The project's 90th percentile (one rule): percentile_cont(0.9), the linear
interpolation between the two ordered values around the position 0.9 x (n - 1).

PostgreSQL computes it with its aggregate; SQLite, which has none, reads the two values
around the position with ORDER BY ... LIMIT 2 OFFSET k and interpolates them the same way.
"""

from __future__ import annotations

import math

from django.db.models import Aggregate, FloatField, QuerySet

P90 = 0.9


class Percentile90Seconds(Aggregate):
    """PostgreSQL: percentile_cont(0.9) of an interval expression, in seconds."""

    function = "percentile_cont"
    name = "Percentile90Seconds"
    template = f"%(function)s({P90}) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def interpolated(rows: QuerySet, expression, count: int):
    """percentile_cont(0.9) of `expression` over the `count` rows, read from the two
    ordered values around the position; None without rows. The values' own type (a
    timedelta, a number) is interpolated as it is."""
    if not count:
        return None
    position = P90 * (count - 1)
    lower = math.floor(position)
    values = list(
        rows.annotate(p90_value=expression)
        .order_by("p90_value")
        .values_list("p90_value", flat=True)[lower : lower + 2]
    )
    low, high = values[0], values[-1]
    return low + (high - low) * (position - lower)
