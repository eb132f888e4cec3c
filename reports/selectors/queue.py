"""The queue's figures for the reports: hall_stats' "queue" object (contracts.md section 3,
extended) and, for the bulletins, the rule itself (evaluations.selectors.queue, where the
results page reads it too)."""

from __future__ import annotations

from datetime import date

from evaluations.selectors.queue import QueueFigures, QueueReport, queue_figures, queue_summary
from windows.models import Hall

__all__ = ["QueueFigures", "QueueReport", "queue_figures", "queue_stats_json", "queue_summary"]


def queue_stats_json(*, hall: Hall, start: date, end: date) -> dict:
    """The "queue" object of hall_stats (contracts.md section 3, extended): the hall's
    queue figures and one entry per category (prefix, name and the same figures), from
    queue_summary: a year of tickets without the 90th percentile (a sort of every wait
    of the year); the bulletins and the results page give it for their ranges."""
    report = queue_summary(hall=hall, start=start, end=end)
    return {
        **report.hall.as_json(p90=False),
        "categories": [
            {"prefix": row.key, "name": row.label, **row.as_json(p90=False)}
            for row in report.categories
        ],
    }
