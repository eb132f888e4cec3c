"""Extension points: a higher app adds its part to a lower app's page, explicitly.

A page of a lower app (the staff console, the staff home page, the window admin) shows
what a higher app adds to it without importing that app: the higher app registers a
function on one of these hooks in its `AppConfig.ready()`, and the page calls `collect`.
Registrations are explicit, one place per app, in INSTALLED_APPS order (no Django signals
for business rules). Each app above declares its own hooks with the same `Hook` class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A part of a page: the template to include, where, and the context it renders."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    slot: str = "main"


class Hook:
    """One extension point: registered functions, called in order with keyword arguments;
    `collect` keeps what they return that is not None."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} registered>"

    def register(self, function: Callable[..., Any]) -> Callable[..., Any]:
        if function not in self._functions:  # ready() may run twice in tests
            self._functions.append(function)
        return function

    def collect(self, **kwargs: Any) -> list[Any]:
        results = (function(**kwargs) for function in self._functions)
        return [result for result in results if result is not None]


def panels_by_slot(collected: list[Panel | list[Panel]]) -> dict[str, list[Panel]]:
    """The panels a hook collected (a function may give several), grouped by slot."""
    by_slot: dict[str, list[Panel]] = {}
    for item in collected:
        for panel in item if isinstance(item, list | tuple) else [item]:
            by_slot.setdefault(panel.slot, []).append(panel)
    return by_slot


# The staff console (console.views.console): (request, staff, today) -> Panel(s) | None.
# Slots: "alerts" under the header, "side" beside the visit form, "below" under both.
console_panels = Hook("windows.console_panels")

# The staff member's home page (views.home): (request, today) -> Panel | None.
home_panels = Hook("windows.home_panels")

# The window admin's change page, "honours and warnings": (window) -> escaped HTML | None.
window_records = Hook("windows.window_records")

# Every writer of visits, their items or ratings in windows (the console, the nightly
# abandon job...): (hall_id, window_id, day) after it changed that window's day, in its
# transaction. evaluations registers the refresh of its daily rollups.
visits_changed = Hook("windows.visits_changed")
