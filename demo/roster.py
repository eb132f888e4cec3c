"""The demo hall's duty roster of a day: who sits at which window, who leads, who guides."""

from __future__ import annotations

from datetime import date

from . import catalogue


def roster_plan(day: date) -> tuple[dict[int, str], str, tuple[str, ...]]:
    """The roster of one day: badge by window number, the duty leader, the guides.

    Deterministic, so that re-running gives the same roster, and varied: leaders and
    guides rotate daily, relief clerks stand in on their weekday.
    """
    by_window = {
        spec.window_number: spec.badge_no for spec in catalogue.STAFF if spec.window_number
    }
    week = day.toordinal() // 7
    for relief in catalogue.RELIEFS:
        if day.weekday() == relief.weekday:
            by_window[relief.window_numbers[week % len(relief.window_numbers)]] = relief.badge_no
    n = day.toordinal()
    leaders, guides = catalogue.DUTY_LEADER_BADGES, catalogue.GUIDE_BADGES
    leader = leaders[n % len(leaders)]
    day_guides = tuple(guides[(n + i) % len(guides)] for i in range(catalogue.GUIDES_PER_DAY))
    return by_window, leader, day_guides
