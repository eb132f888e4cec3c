"""The console's reads of the hall's queue: the waiting tickets of the categories the
window serves, the ticket called to (or served at) the window, and the version the
console polls with.

A window that serves no active business category has no queue: its console stays the
typed-ticket console (a hall that keeps an outside queue system).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language

from windows.models import QueueCategory, Visit, Window, WindowSession
from windows.queue.selectors import CategoryQueue, waiting_counts
from windows.rules.hall_time import hall_localdate

# A console that polls gets the whole panel at least this often, whatever happened (the
# admin's changes to which categories a window serves raise no version).
PANEL_REFRESH_SECONDS = 30

SIGNED_OUT = "signed-out"
TYPED = "typed"
FREE = "free"


@dataclass(frozen=True)
class ConsoleQueue:
    counts: tuple[CategoryQueue, ...]  # the window's categories, in the hall's order
    held: Visit | None  # the ticket called to the window or being served there
    recall_limit: int

    @property
    def total(self) -> int:
        return sum(row.waiting for row in self.counts)

    @property
    def called(self) -> Visit | None:
        return self.held if self.held and self.held.status == Visit.Status.CALLED else None

    @property
    def can_no_show(self) -> bool:
        return self.called is not None and self.called.recalls >= self.recall_limit

    @property
    def waited_minutes(self) -> int | None:
        """Whole minutes from the called ticket's issue to its call."""
        called = self.called
        if called is None or called.called_at is None:
            return None
        return max(0, int((called.called_at - called.issued_at).total_seconds()) // 60)


def served_categories(window: Window):
    """The active categories whose tickets the window calls."""
    return QueueCategory.objects.active().served_by(window)


def held_at(*, window: Window) -> Visit | None:
    """The ticket at the window (called or in service; one at most, a database constraint)."""
    return (
        Visit.objects.at_window().filter(window=window).select_related("category", "window").first()
    )


def console_queue(*, session: WindowSession, now: datetime | None = None) -> ConsoleQueue | None:
    """The queue as the window's console shows it; None if the window serves no category."""
    window = session.window
    served = set(served_categories(window).values_list("pk", flat=True))
    if not served:
        return None
    day = hall_localdate(window.hall, now or timezone.now())
    counts = tuple(
        row for row in waiting_counts(hall=window.hall, day=day) if row.category.pk in served
    )
    return ConsoleQueue(
        counts=counts,
        held=held_at(window=window),
        recall_limit=window.hall.queue_recall_limit,
    )


def console_mode(session: WindowSession | None, queue: ConsoleQueue | None) -> str:
    """What the page around the queue panel was drawn for: a poll answering another mode
    (signed out elsewhere, service started or ended in another browser) reloads the page."""
    if session is None:
        return SIGNED_OUT
    if queue is None:
        return TYPED
    if queue.held is not None and queue.held.status == Visit.Status.IN_SERVICE:
        return f"serving-{queue.held.pk}"
    return FREE


def console_etag(session: WindowSession | None, *, now: datetime | None = None) -> str:
    """The version of the console's queue panel: the window's live version (calls, starts,
    ends, sign-ins), the hall's queue version (tickets issued anywhere), the language and
    a 30-second period; an unchanged version is answered 304 without reading the queue."""
    now = now or timezone.now()
    period = int(now.timestamp()) // PANEL_REFRESH_SECONDS
    language = get_language() or ""
    if session is None:
        return f'W/"console.none.{language}.{period}"'
    window = session.window
    return (
        f'W/"console.{session.pk}.{window.pk}.{window.live_version}.'
        f'{window.hall.queue_version}.{language}.{period}"'
    )
