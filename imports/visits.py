"""The visits import (contracts.md section 2): the queue system's export, one row per visit.

A visit is identified by (hall, ticket_no, started_at). A row whose visit is already
stored is counted as unchanged and left exactly as it is: the import never updates a
visit (keep it simple -- a correction is a delete and a re-import). A later row of the
same file with the same identity is the same visit, so it is unchanged too.

Built for 300,000-row files: rows are read one at a time and handled in chunks. Halls,
windows, staff and service items are looked up in dicts loaded once (per hall), every
row of a chunk is validated in Python first, and the chunk's valid rows go to the
VisitStore (visit_store.py), which writes the visits the database does not hold yet in
a few statements. A row is all or nothing because nothing of it is written unless all
of it is valid.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaints.services.followups import FollowupDeadlines, followups_open
from evaluations.models import Rating
from windows.importing.forked import can_fork, produced_in_child
from windows.importing.results import ImportFileError, ImportResult, RowError
from windows.importing.rows import RowRejected, import_hall_ids, split_codes, window_number
from windows.importing.tabular import Column, read_rows
from windows.live import halls_touch
from windows.models import Hall, ServiceItem, Staff, Visit, Window
from windows.rules.hall_time import hall_zone

from .visit_store import NewVisit, PreparedBatch, StoredRating, VisitStore

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import AbstractBaseUser

CHUNK_SIZE = 5000
ANALYZE_AFTER_ROWS = 10_000
FOLLOWUP_BATCH = 5000  # bad reviews whose cases are opened together
TIME_FORMAT_EXAMPLE = "2022-01-04 08:30:00"

HALL_CODE = Column("hall_code", "大厅编码")
TICKET_NO = Column("ticket_no", "排队号", required=True)
ISSUED_AT = Column("issued_at", "取号时间", required=True)
CALLED_AT = Column("called_at", "叫号时间")
STARTED_AT = Column("started_at", "开始办理时间", required=True)
FINISHED_AT = Column("finished_at", "办结时间")
WINDOW_NO = Column("window_no", "窗口号", required=True)
STAFF_BADGE = Column("staff_badge", "工号")
SERVICE_CODES = Column("service_codes", "业务编码", required=True)
STATUS = Column("status", "状态", required=True)
RATING = Column("rating", "评价")
RATED_AT = Column("rated_at", "评价时间")
COLUMNS = (
    HALL_CODE,
    TICKET_NO,
    ISSUED_AT,
    CALLED_AT,
    STARTED_AT,
    FINISHED_AT,
    WINDOW_NO,
    STAFF_BADGE,
    SERVICE_CODES,
    STATUS,
    RATING,
    RATED_AT,
)

STATUSES = {
    "completed": Visit.Status.COMPLETED,
    "transferred": Visit.Status.TRANSFERRED,
    "no_show": Visit.Status.NO_SHOW,
    "办结": Visit.Status.COMPLETED,
    "转办": Visit.Status.TRANSFERRED,
    "过号": Visit.Status.NO_SHOW,
}
MAX_ITEMS = 32767
TICKET_NO_LENGTH = Visit._meta.get_field("ticket_no").max_length
SERVICE_CODE_LENGTH = ServiceItem._meta.get_field("code").max_length
IMPORT_PERMISSIONS = ("windows.add_visit",)


class _References:
    """Halls, windows, staff and service items, each loaded once into a dict."""

    def __init__(self, *, hall_ids: frozenset[int] | None, create_missing: bool) -> None:
        self.hall_ids = hall_ids  # None: every hall
        self.create_missing = create_missing
        self.halls = {hall.code: hall for hall in Hall.objects.all()}
        self.items = dict(ServiceItem.objects.values_list("code", "pk"))
        self.windows: dict[int, dict[int, int]] = {}  # hall pk -> number -> window pk
        self.staff: dict[int, dict[str, int]] = {}  # hall pk -> badge -> staff pk
        self.hours: dict[int, _LocalHours] = {}  # hall pk -> its zone's hours
        self.zone_hours: dict[ZoneInfo, _LocalHours] = {}  # halls of one zone share them

    def hall(self, code: str) -> Hall:
        hall = self.halls.get(code)
        if self.hall_ids is not None and (hall is None or hall.id not in self.hall_ids):
            # A user limited to some halls learns nothing about which codes exist.
            raise RowRejected(_("no permission for hall %(code)s") % {"code": code})
        if hall is None:
            raise RowRejected(_("unknown hall %(code)s") % {"code": code})
        return hall

    def load_all(self) -> None:
        """Load the windows and staff of every hall now, with two queries."""
        self.windows = {hall.id: {} for hall in self.halls.values()}
        self.staff = {hall.id: {} for hall in self.halls.values()}
        for hall_id, number, pk in Window.objects.values_list("hall_id", "number", "pk"):
            self.windows[hall_id][number] = pk
        for hall_id, badge, pk in Staff.objects.values_list("hall_id", "badge_no", "pk"):
            self.staff[hall_id][badge] = pk

    # Called for every row: hall.id rather than hall.pk, and dict hits before misses.
    def windows_of(self, hall: Hall) -> dict[int, int]:
        try:
            return self.windows[hall.id]
        except KeyError:
            windows = dict(Window.objects.filter(hall=hall).values_list("number", "pk"))
            return self.windows.setdefault(hall.id, windows)

    def staff_of(self, hall: Hall) -> dict[str, int]:
        try:
            return self.staff[hall.id]
        except KeyError:
            staff = dict(Staff.objects.filter(hall=hall).values_list("badge_no", "pk"))
            return self.staff.setdefault(hall.id, staff)

    def local_hours(self, hall: Hall) -> _LocalHours:
        """The hall's local hours as UTC (its times are the hall's local time)."""
        try:
            return self.hours[hall.id]
        except KeyError:
            zone = hall_zone(hall)
            hours = self.zone_hours.setdefault(zone, _LocalHours(zone))
            return self.hours.setdefault(hall.id, hours)

    def window_id(self, hall: Hall, number: int) -> int:
        """The window's pk; with create_missing a missing window is created (specialist)."""
        windows = self.windows_of(hall)
        if number not in windows:
            windows[number] = Window.objects.create(hall=hall, number=number, zone=None).pk
        return windows[number]

    def item_ids(self, codes: list[str]) -> list[int]:
        """The items' pks; with create_missing a missing item is created unpublished."""
        items = self.items
        try:
            return [items[code] for code in codes]
        except KeyError:
            for code in codes:
                if code not in items:
                    item = ServiceItem.objects.create(code=code, name=code, is_published=False)
                    items[code] = item.pk
            return [items[code] for code in codes]


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
    admin upload), rows of halls the user may not see are rejected. Unknown windows and
    service codes are row errors unless `create_missing`, which creates the window as a
    specialist window and the service item unpublished. A dry run does everything, then
    rolls it back. Raises ImportFileError when the file as a whole is unusable (nothing
    is saved), and PermissionDenied for a user who may not add visits.

    `read_in_child` (the command line, a process with one thread) reads and checks the
    file in a forked process while this one writes (forked.py): about a third faster.
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
) -> tuple[_References, Hall | None]:
    refs = _References(
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
    refs: _References,
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
    flood today's complaints.
    """
    result = ImportResult(dry_run=dry_run)
    store = VisitStore.for_database()
    deadlines = FollowupDeadlines()
    bad_ratings: list[StoredRating] = []
    halls_written: set[int] = set()
    chunks = _parsed_chunks(rows, refs=refs, fixed_hall=fixed_hall, store=store)
    if read_in_child and not refs.create_missing and can_fork():
        # Creating windows and items is writing: that stays here, in the transaction.
        refs.load_all()  # the child must not query the database
        chunks = produced_in_child(chunks)
    for batch, errors in chunks:
        for error in errors:
            result.reject(error.row, error.reason)
        if batch.rows:
            stored = store.write(batch, past_deadline=deadlines.passed)
            result.imported += stored.visits
            result.unchanged += batch.rows - stored.visits
            result.historical_bad += stored.historical
            bad_ratings += stored.bad_ratings
            if stored.visits:
                halls_written.update(key[0] for key in batch.keys)
        if len(bad_ratings) >= FOLLOWUP_BATCH:
            _open_followups(bad_ratings)
    _open_followups(bad_ratings)
    result.errors.sort(key=lambda error: error.row)
    if dry_run:
        transaction.set_rollback(True)
    else:
        # After the commit: the import's long transaction must not hold the windows' rows
        # that the consoles of those halls update meanwhile.
        if halls_written:
            transaction.on_commit(partial(halls_touch, halls_written))
        if result.imported >= ANALYZE_AFTER_ROWS:
            transaction.on_commit(store.analyze)
    return result


def _parsed_chunks(
    rows: Iterator[tuple[int, dict[str, str]]],
    *,
    refs: _References,
    fixed_hall: Hall | None,
    store: VisitStore,
) -> Iterator[tuple[PreparedBatch, list[RowError]]]:
    """The rows parsed a chunk at a time: each chunk's valid visits, prepared for the
    store, and its row errors."""
    for chunk in iter(lambda: list(islice(rows, CHUNK_SIZE)), []):
        valid, errors = _parse_chunk(chunk, refs=refs, fixed_hall=fixed_hall)
        yield store.prepare(valid), errors


def _parse_chunk(
    chunk: list[tuple[int, dict[str, str]]], *, refs: _References, fixed_hall: Hall | None
) -> tuple[list[NewVisit], list[RowError]]:
    valid: list[NewVisit] = []
    errors: list[RowError] = []
    for row, values in chunk:
        try:
            valid.append(_parse(values, refs=refs, fixed_hall=fixed_hall))
        except RowRejected as exc:
            errors.append(RowError(row=row, reason=exc.reason))
    return valid, errors


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


def _parse(values: dict[str, str], *, refs: _References, fixed_hall: Hall | None) -> NewVisit:
    """Check every value of a row; raise RowRejected with the first problem.

    Missing windows and service items are created (with create_missing) only once the
    whole row has passed.
    """
    hall = _hall(values["hall_code"], refs=refs, fixed_hall=fixed_hall)
    ticket_no = values["ticket_no"]
    if not ticket_no:
        raise RowRejected(_("missing ticket number"))
    if len(ticket_no) > TICKET_NO_LENGTH:
        raise RowRejected(
            _("ticket number %(value)s is longer than %(max)s characters")
            % {"value": ticket_no, "max": TICKET_NO_LENGTH}
        )
    status = STATUSES.get(values["status"].lower())
    if status is None:
        raise RowRejected(
            _("unknown status %(value)s: use completed, transferred or no_show (办结, 转办, 过号)")
            % {"value": values["status"]}
            if values["status"]
            else _("missing status")
        )
    hours = refs.local_hours(hall)
    issued_at = _time(values["issued_at"], ISSUED_AT, hours, required=True)
    called_at = _time(values["called_at"], CALLED_AT, hours)
    started_at = _time(values["started_at"], STARTED_AT, hours, required=True)
    finished_at = _time(
        values["finished_at"], FINISHED_AT, hours, required=status == Visit.Status.COMPLETED
    )
    if started_at < issued_at:
        raise RowRejected(_("the service started before the ticket was issued"))
    if finished_at is not None and finished_at < started_at:
        raise RowRejected(_("the service finished before it started"))
    window_number = _window_number(values["window_no"], hall=hall, refs=refs)
    staff_id = _staff(values["staff_badge"], hall=hall, refs=refs)
    codes = _service_codes(values["service_codes"], refs=refs)
    rating, rated_at = _rating(values, finished_at=finished_at, hours=hours)
    return NewVisit(
        hall_id=hall.id,
        ticket_no=ticket_no,
        issued_at=issued_at,
        called_at=called_at,
        started_at=started_at,
        finished_at=finished_at,
        service_date=values["started_at"][:10],
        window_id=refs.window_id(hall, window_number),
        staff_id=staff_id,
        status=status,
        item_count=len(codes),
        item_ids=refs.item_ids(codes),
        rating=rating,
        rated_at=rated_at,
    )


def _hall(code: str, *, refs: _References, fixed_hall: Hall | None) -> Hall:
    if fixed_hall is not None:
        if code and code != fixed_hall.code:
            raise RowRejected(
                _("hall code %(value)s does not match --hall %(code)s")
                % {"value": code, "code": fixed_hall.code}
            )
        return fixed_hall
    if not code:
        raise RowRejected(_("missing hall code"))
    return refs.hall(code)


def _time(text: str, column: Column, hours: _LocalHours, *, required: bool = False) -> str | None:
    """A `YYYY-MM-DD HH:MM:SS` hall local time, as the same text in UTC (see visit_store)."""
    if not text:
        if required:
            raise RowRejected(_("missing %(column)s") % {"column": column})
        return None
    # fromisoformat is fast but lenient: only the contract's exact shape is accepted.
    if len(text) == 19 and text[4] == "-" and text[10] == " " and text[13] == ":":
        try:
            local = datetime.fromisoformat(text)  # a real day and time?
        except ValueError:
            pass
        else:
            utc = hours[text[:13]]
            if type(utc) is str:
                return utc + text[13:]
            return str(local - utc)
    raise RowRejected(
        _("%(column)s: %(value)s is not a time like %(example)s")
        % {"column": column, "value": text, "example": TIME_FORMAT_EXAMPLE}
    )


class _LocalHours(dict):
    """One zone's local hours `YYYY-MM-DD HH` in UTC, each looked up once per import and
    zone rather than once a value (zones change on the hour).

    The value is the UTC `YYYY-MM-DD HH` when the offset is whole hours (always, in China
    since 1901): minutes and seconds then stay as they are; otherwise the offset itself.
    """

    __slots__ = ("zone",)

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self.zone = zone

    def __missing__(self, hour: str) -> str | timedelta:
        local = datetime.fromisoformat(hour + ":00")
        offset = local.replace(tzinfo=self.zone).utcoffset()
        utc = offset if offset % timedelta(hours=1) else (local - offset).isoformat(" ")[:13]
        self[hour] = utc
        return utc


def _window_number(text: str, *, hall: Hall, refs: _References) -> int:
    number = window_number(text)
    if number not in refs.windows_of(hall) and not refs.create_missing:
        raise RowRejected(
            _("unknown window %(number)s of hall %(code)s") % {"number": number, "code": hall.code}
        )
    return number


def _staff(badge: str, *, hall: Hall, refs: _References) -> int | None:
    """Staff are configured, never created by the import: an unknown badge is an error."""
    if not badge:
        return None
    staff_id = refs.staff_of(hall).get(badge)
    if staff_id is None:
        raise RowRejected(
            _("unknown staff badge %(badge)s of hall %(code)s")
            % {"badge": badge, "code": hall.code}
        )
    return staff_id


def _service_codes(text: str, *, refs: _References) -> list[str]:
    codes = split_codes(text)
    if not codes:
        raise RowRejected(_("missing service codes"))
    if len(codes) > MAX_ITEMS:
        raise RowRejected(_("too many service codes"))
    items = refs.items
    unknown = [code for code in codes if code not in items]
    if unknown and not refs.create_missing:
        raise RowRejected(
            ngettext(
                "unknown service code %(codes)s", "unknown service codes %(codes)s", len(unknown)
            )
            % {"codes": ", ".join(unknown)}
        )
    too_long = [code for code in unknown if len(code) > SERVICE_CODE_LENGTH]
    if too_long:
        raise RowRejected(
            _("service code %(code)s is longer than %(max)s characters")
            % {"code": too_long[0], "max": SERVICE_CODE_LENGTH}
        )
    return codes


def _rating(
    values: dict[str, str], *, finished_at: str | None, hours: _LocalHours
) -> tuple[int | None, str | None]:
    """The level and time of the rating; without rated_at the visit's finish time."""
    text = values["rating"]
    if not text:
        return None, None
    if text not in {"1", "2", "3", "4", "5"}:
        raise RowRejected(_("rating %(value)s is not a whole number from 1 to 5") % {"value": text})
    rated_at = _time(values["rated_at"], RATED_AT, hours) or finished_at
    if rated_at is None:
        raise RowRejected(
            _("a rating needs %(rated_at)s or %(finished_at)s")
            % {"rated_at": RATED_AT, "finished_at": FINISHED_AT}
        )
    return int(text), rated_at
