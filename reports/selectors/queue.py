"""The queue's figures for the reports: hall_stats' "queue" object (contracts.md section 3,
extended) and, for the bulletins, the rule itself (evaluations.selectors.queue, where the
results page reads it too)."""

from __future__ import annotations

from datetime import date

from evaluations.selectors.queue import QueueFigures, QueueReport, queue_figures
from windows.models import Hall

__all__ = ["QueueFigures", "QueueReport", "queue_figures", "queue_stats_json"]


def queue_stats_json(*, hall: Hall, start: date, end: date) -> dict:
    """The "queue" object of hall_stats (contracts.md section 3, extended): the hall's
    queue figures and one entry per category (prefix, name and the same figures)."""
    report = queue_figures(hall=hall, start=start, end=end, groups=("category",))
    return {
        **report.hall.as_json(),
        "categories": [
            {"prefix": row.key, "name": row.label, **row.as_json()} for row in report.categories
        ],
    }
