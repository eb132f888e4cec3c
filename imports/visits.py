"""The visits import (contracts.md section 2): the queue system's export, one row per visit.

A visit is identified by (hall, ticket_no, started_at). A row whose visit is already
stored is counted as unchanged and left exactly as it is: the import never updates a
visit (keep it simple -- a correction is a delete and a re-import). A later row of the
same file with the same identity is the same visit, so it is unchanged too.

Built for 300,000-row files: rows are read one at a time and handled in chunks. Halls,
windows, staff and service items are looked up in dicts loaded once (per hall), every
row of a chunk is validated in Python first (visit_rows.py), and the chunk's valid rows
go to the VisitStore (visit_store.py), which writes the visits the database does not
hold yet in a few statements. A row is all or nothing because nothing of it is written
unless all of it is valid.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from django.db import transaction

from complaints.services.followups import FollowupDeadlines, followups_open
from evaluations.models import Rating
from evaluations.rollups import rollups_refresh
from windows.importing.forked import ProducedInChild, can_fork
from windows.importing.results import ImportFileError, ImportResult, RowError
from windows.importing.rows import RowRejected, import_hall_ids
from windows.importing.tabular import Column, read_rows
from windows.live import halls_touch
from windows.models import Hall

from .visit_rows import (
    COLUMNS,
    HALL_CODE,
    NewReferences,
    References,
    parse_chunk,
    real_keys,
    with_real_keys,
)
from .visit_store import NewVisit, PreparedBatch, StoredRating, VisitStore

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

CHUNK_SIZE = 5000
ANALYZE_AFTER_ROWS = 10_000
FOLLOWUP_BATCH = 5000  # bad reviews whose cases are opened together
IMPORT_PERMISSIONS = ("windows.add_visit",)


@transaction.atomic
def visits_import(
    *,
    file: BinaryIO,
    filename: str,
    hall_code: str | None = None,
    create_missing: bool = False,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    read_in_child: bool = False,
) -> ImportResult:
    """Import the visits in `file`; each row is saved whole or not at all.

    `hall_code` (the command's --hall) names the hall of every row: the file then needs
    no hall_code column, and a row whose hall_code disagrees is rejected. `user=None`
    is the command line, an operator who may import into any hall; with a user (the
    admin upload), rows of halls the user may not see are rejected. Unknown windows,
    service codes and staff badges are row errors unless `create_missing`, which creates
    the window as a specialist window, the service item unpublished and the badge as a
    card without a login (the result counts each kind created). A dry run does
    everything, then rolls it back. Raises ImportFileError when the file as a whole is
    unusable (nothing is saved), and PermissionDenied for a user who may not add visits.

    `read_in_child` (the command line, a process with one thread) reads and checks the
    file in a forked process while this one writes (forked.py): about a third faster. The
    reader writes nothing: what create_missing creates comes with each chunk, and this
    process creates it (see visit_rows.References).
    """
    refs, fixed_hall = _prepare(hall_code=hall_code, create_missing=create_missing, user=user)
    columns = [Column(HALL_CODE.name, HALL_CODE.chinese, required=fixed_hall is None)]
    columns += COLUMNS[1:]
    rows = read_rows(file, filename, columns)
    return _import_rows(
        rows, refs=refs, fixed_hall=fixed_hall, dry_run=dry_run, read_in_child=read_in_child
    )


@transaction.atomic
def visits_ingest(
    *,
    records: Sequence[Mapping[str, object]],
    hall_code: str | None = None,
    create_missing: bool = False,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """The same import from JSON records with the contract's field names (the REST API).

    Record N (counting from 1) is reported as row N. Missing fields count as empty.
    """
    refs, fixed_hall = _prepare(hall_code=hall_code, create_missing=create_missing, user=user)
    rows = (
        (number, {column.name: _text(record.get(column.name)) for column in COLUMNS})
        for number, record in enumerate(records, start=1)
    )
    return _import_rows(rows, refs=refs, fixed_hall=fixed_hall, dry_run=dry_run)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _prepare(
    *, hall_code: str | None, create_missing: bool, user: AbstractBaseUser | None
) -> tuple[References, Hall | None]:
    refs = References(
        hall_ids=import_hall_ids(user, permissions=IMPORT_PERMISSIONS),
        create_missing=create_missing,
    )
    fixed_hall = None
    if hall_code is not None:
        try:
            fixed_hall = refs.hall(hall_code)
        except RowRejected as exc:
            raise ImportFileError(exc.reason) from None
    return refs, fixed_hall


def _import_rows(
    rows: Iterator[tuple[int, dict[str, str]]],
    *,
    refs: References,
    fixed_hall: Hall | None,
    dry_run: bool,
    read_in_child: bool = False,
) -> ImportResult:
    """Parse the rows a chunk at a time and store each chunk's valid ones.

    A row already stored (or a repeat of an earlier row of the file) is unchanged: the
    store writes only the visits the database does not hold yet. The follow-up cases of
    the bad reviews are opened FOLLOWUP_BATCH at a time, not per chunk: opening them
    costs mostly per call (due dates, history), little per case. A bad review whose
    follow-up deadline passed before today (the import's start, in the hall's local
    time) is stored historical and opens no case (FollowupDeadlines): history does not
    flood today's complaints. At the end, the daily rollups of each hall written are
    computed again over the days written (evaluations.rollups), once per hall.
    """
    result = ImportResult(dry_run=dry_run)
    store = VisitStore.for_database()
    deadlines = FollowupDeadlines()
    bad_ratings: list[StoredRating] = []
    days_written: dict[int, tuple[str, str]] = {}  # hall pk -> first, last service_date
    chunks: Iterator[ParsedChunk] | ProducedInChild[ParsedChunk]
    chunks = _parsed_chunks(rows, refs=refs, fixed_hall=fixed_hall, store=store)
    learn = refs.learn  # reading in line: the reader's references are these
    if read_in_child and can_fork():
        refs.load_all()  # the child must not query the database
        chunks = ProducedInChild(chunks, on_reply=refs.learn)  # learns in the child
        learn = chunks.reply
    keys: dict[int, int] = {}  # provisional key -> pk of what create_missing created
    for parsed in chunks:
        for error in parsed.errors:
            result.reject(error.row, error.reason)
        if parsed.new:
            created = refs.create(parsed.new)
            keys.update(real_keys(parsed.new, created))
            learn(created)
        batch = parsed.batch or store.prepare(with_real_keys(parsed.visits, keys))
        if batch.rows:
            stored = store.write(batch, past_deadline=deadlines.passed)
            result.imported += stored.visits
            result.unchanged += batch.rows - stored.visits
            result.historical_bad += stored.historical
            bad_ratings += stored.bad_ratings
            for hall_id, (first, last) in stored.days.items():
                known = days_written.get(hall_id, (first, last))
                days_written[hall_id] = (min(known[0], first), max(known[1], last))
        if len(bad_ratings) >= FOLLOWUP_BATCH:
            _open_followups(bad_ratings)
    _open_followups(bad_ratings)
    for hall_id, (first, last) in days_written.items():
        rollups_refresh(
            hall_id=hall_id, start=date.fromisoformat(first), end=date.fromisoformat(last)
        )
    for kind, count in refs.created.items():
        result.count_created(kind, count)
    result.errors.sort(key=lambda error: error.row)
    if dry_run:
        transaction.set_rollback(True)
    else:
        # After the commit: the import's long transaction must not hold the windows' rows
        # that the consoles of those halls update meanwhile.
        if days_written:
            transaction.on_commit(partial(halls_touch, set(days_written)))
        if result.imported >= ANALYZE_AFTER_ROWS:
            transaction.on_commit(store.analyze)
    return result


class ParsedChunk(NamedTuple):
    """A chunk as the reader hands it over: its valid visits prepared for the store
    (`batch`), or, while they may carry provisional keys of references not created yet,
    as they are (`visits`); the references to create first (`new`); its row errors."""

    batch: PreparedBatch | None
    visits: list[NewVisit]
    new: NewReferences
    errors: list[RowError]


def _parsed_chunks(
    rows: Iterator[tuple[int, dict[str, str]]],
    *,
    refs: References,
    fixed_hall: Hall | None,
    store: VisitStore,
) -> Iterator[ParsedChunk]:
    """The rows parsed a chunk at a time (pure Python: it may run in the reading child)."""
    for chunk in iter(lambda: list(islice(rows, CHUNK_SIZE)), []):
        valid, errors = parse_chunk(chunk, refs=refs, fixed_hall=fixed_hall)
        new = refs.take_new()
        if refs.unresolved:
            yield ParsedChunk(None, valid, new, errors)
        else:
            yield ParsedChunk(store.prepare(valid), [], new, errors)


def _open_followups(bad_ratings: list[StoredRating]) -> None:
    """A bad review always gets a follow-up, whichever way it reached the portal."""
    followups_open(
        ratings=[
            Rating(
                pk=stored.pk,
                visit_id=stored.visit_id,
                level=stored.level,
                rated_at=stored.rated_at,
                source=Rating.Source.IMPORT,
            )
            for stored in bad_ratings
        ]
    )
    bad_ratings.clear()


def visits_import_job(*, file: BinaryIO, filename: str, options: dict, user) -> ImportResult:
    """The visits import as a background job runs it (windows.importing.jobs)."""
    return visits_import(
        file=file,
        filename=filename,
        hall_code=options.get("hall_code"),
        create_missing=options.get("create_missing", False),
        dry_run=options.get("dry_run", False),
        user=user,
    )
