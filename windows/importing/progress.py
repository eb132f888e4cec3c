"""How far an import has read, for a background job's page: read_rows reports every
REPORT_EVERY rows to the reporter set for the current context (none outside a job)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REPORT_EVERY = 1000

_reporter: ContextVar[Callable[[int], None] | None] = ContextVar("import_progress", default=None)


@contextmanager
def rows_reported_to(reporter: Callable[[int], None]) -> Iterator[None]:
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


def report_row(number: int) -> None:
    """Called by the reader for each row it yields (its spreadsheet row number)."""
    if number % REPORT_EVERY == 0 and (reporter := _reporter.get()) is not None:
        reporter(number)
