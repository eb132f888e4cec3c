"""The visits import (contracts.md section 2): the queue system's export, one row per visit.

A visit is identified by (hall, ticket_no, started_at). A row whose visit is already
stored is counted as unchanged and left exactly as it is: the import never updates a
visit (keep it simple -- a correction is a delete and a re-import). A later row of the
same file with the same identity is the same visit, so it is unchanged too.

Built for 300,000-row files: rows are read one at a time and handled in chunks. Halls,
windows, staff and service items are looked up in dicts loaded once (per hall), every
row of a chunk is validated in Python first, the chunk's existing visits are found with
one query, and the valid rows are written with bulk_create. A row is all or nothing
because nothing of it is written unless all of it is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, BinaryIO
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluations.models import Rating
from evaluations.services.followups import followups_open
from windows.models import Hall, ServiceItem, Staff, Visit, VisitItem, Window
from windows.scoping import visible_hall_ids

from .fastinsert import insert_rows
from .results import ImportFileError, ImportResult
from .tabular import Column, read_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

HALL_TIME_ZONE = ZoneInfo("Asia/Shanghai")
CHUNK_SIZE = 2000
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
MAX_WINDOW_NUMBER = 32767  # PositiveSmallIntegerField
MAX_ITEMS = 32767
WINDOW_NUMBER = re.compile(r"(\d+)\s*号?")
CODE_SEPARATORS = re.compile(r"[;；,，、\s]+")
TICKET_NO_LENGTH = Visit._meta.get_field("ticket_no").max_length
SERVICE_CODE_LENGTH = ServiceItem._meta.get_field("code").max_length
IMPORT_PERMISSIONS = ("windows.add_visit",)


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Row:
    """One valid row, ready to write once its missing window and items exist."""

    row: int
    hall: Hall
    window_number: int
    staff_id: int | None
    codes: list[str]
    status: str
    ticket_no: str
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime
    finished_at: datetime | None
    rating: int | None
    rated_at: datetime | None

    @property
    def key(self) -> tuple[int, str, datetime]:
        return (self.hall.pk, self.ticket_no, self.started_at)


class _References:
    """Halls, windows, staff and service items, each loaded once into a dict."""

    def __init__(self, *, hall_ids: frozenset[int] | None, create_missing: bool) -> None:
        self.hall_ids = hall_ids  # None: every hall
        self.create_missing = create_missing
        self.halls = {hall.code: hall for hall in Hall.objects.all()}
        self.items = dict(ServiceItem.objects.values_list("code", "pk"))
        self.windows: dict[int, dict[int, int]] = {}  # hall pk -> number -> window pk
        self.staff: dict[int, dict[str, int]] = {}  # hall pk -> badge -> staff pk

    def hall(self, code: str) -> Hall:
        hall = self.halls.get(code)
        if self.hall_ids is not None and (hall is None or hall.pk not in self.hall_ids):
            # A user limited to some halls learns nothing about which codes exist.
            raise _Rejected(_("no permission for hall %(code)s") % {"code": code})
        if hall is None:
            raise _Rejected(_("unknown hall %(code)s") % {"code": code})
        return hall

    def windows_of(self, hall: Hall) -> dict[int, int]:
        if hall.pk not in self.windows:
            self.windows[hall.pk] = dict(
                Window.objects.filter(hall=hall).values_list("number", "pk")
            )
        return self.windows[hall.pk]

    def staff_of(self, hall: Hall) -> dict[str, int]:
        if hall.pk not in self.staff:
            self.staff[hall.pk] = dict(
                Staff.objects.filter(hall=hall).values_list("badge_no", "pk")
            )
        return self.staff[hall.pk]

    def create_missing_for(self, rows: Iterable[_Row]) -> None:
        """Create the windows and service items valid rows need (only with create_missing)."""
        for parsed in rows:
            windows = self.windows_of(parsed.hall)
            if parsed.window_number not in windows:
                window = Window.objects.create(
                    hall=parsed.hall, number=parsed.window_number, zone=None
                )
                windows[parsed.window_number] = window.pk
            for code in parsed.codes:
                if code not in self.items:
                    item = ServiceItem.objects.create(code=code, name=code, is_published=False)
                    self.items[code] = item.pk


@transaction.atomic
def visits_import(
    *,
    file: BinaryIO,
    filename: str,
    hall_code: str | None = None,
    create_missing: bool = False,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
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
    """
    refs, fixed_hall = _prepare(hall_code=hall_code, create_missing=create_missing, user=user)
    columns = [Column(HALL_CODE.name, HALL_CODE.chinese, required=fixed_hall is None)]
    columns += COLUMNS[1:]
    rows = read_rows(file, filename, columns)
    return _import_rows(rows, refs=refs, fixed_hall=fixed_hall, dry_run=dry_run)


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
    refs = _References(hall_ids=_hall_ids_for(user), create_missing=create_missing)
    fixed_hall = None
    if hall_code is not None:
        try:
            fixed_hall = refs.hall(hall_code)
        except _Rejected as exc:
            raise ImportFileError(exc.reason) from None
    return refs, fixed_hall


def _import_rows(
    rows: Iterator[tuple[int, dict[str, str]]],
    *,
    refs: _References,
    fixed_hall: Hall | None,
    dry_run: bool,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        _import_chunk(chunk, refs=refs, fixed_hall=fixed_hall, result=result)
    result.errors.sort(key=lambda error: error.row)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _hall_ids_for(user: AbstractBaseUser | None) -> frozenset[int] | None:
    if user is None:
        return None
    if not user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    hall_ids = visible_hall_ids(user)
    if hall_ids is None:
        return None
    return frozenset(row["pk"] for row in hall_ids)


def _import_chunk(
    chunk: list[tuple[int, dict[str, str]]],
    *,
    refs: _References,
    fixed_hall: Hall | None,
    result: ImportResult,
) -> None:
    valid: list[_Row] = []
    for row, values in chunk:
        try:
            valid.append(_parse(row, values, refs=refs, fixed_hall=fixed_hall))
        except _Rejected as exc:
            result.reject(row, exc.reason)
    if not valid:
        return
    existing = _existing_keys(valid)
    new: list[_Row] = []
    for parsed in valid:
        if parsed.key in existing:
            result.unchanged += 1
        else:
            existing.add(parsed.key)  # a later row of the same visit is unchanged
            new.append(parsed)
    if not new:
        return
    if refs.create_missing:
        refs.create_missing_for(new)
    try:
        with transaction.atomic():
            _write(new, refs)
    except IntegrityError:
        # Someone saved some of these visits meanwhile: write the rows one by one.
        for parsed in new:
            try:
                with transaction.atomic():
                    _write([parsed], refs)
            except IntegrityError:
                result.reject(
                    parsed.row, _("conflicts with a change saved at the same time; try again")
                )
            else:
                result.imported += 1
    else:
        result.imported += len(new)


def _existing_keys(rows: list[_Row]) -> set[tuple[int, str, datetime]]:
    """The keys of the rows' visits already stored, with one query."""
    stored = Visit.objects.filter(
        hall_id__in={parsed.hall.pk for parsed in rows},
        ticket_no__in={parsed.ticket_no for parsed in rows},
        started_at__range=(
            min(parsed.started_at for parsed in rows),
            max(parsed.started_at for parsed in rows),
        ),
    ).values_list("hall_id", "ticket_no", "started_at")
    return set(stored)


VISIT_COLUMNS = (
    "hall",
    "ticket_no",
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "service_date",
    "window",
    "staff",
    "status",
    "item_count",
)
RATING_COLUMNS = (
    "visit",
    "level",
    "rated_at",
    "source",
    "reasons",
    "comment",
    "callback_phone",
    "excluded",
    "exclusion_note",
)


def _write(rows: list[_Row], refs: _References) -> None:
    visit_ids = insert_rows(
        Visit,
        VISIT_COLUMNS,
        [
            (
                parsed.hall.pk,
                parsed.ticket_no,
                parsed.issued_at,
                parsed.called_at,
                parsed.started_at,
                parsed.finished_at,
                parsed.started_at.date(),
                refs.windows[parsed.hall.pk][parsed.window_number],
                parsed.staff_id,
                parsed.status,
                len(parsed.codes),
            )
            for parsed in rows
        ],
        returning_pk=True,
    )
    insert_rows(
        VisitItem,
        ("visit", "service_item"),
        [
            (visit_id, refs.items[code])
            for parsed, visit_id in zip(rows, visit_ids, strict=True)
            for code in parsed.codes
        ],
    )
    rated = [
        (parsed, visit_id)
        for parsed, visit_id in zip(rows, visit_ids, strict=True)
        if parsed.rating is not None
    ]
    rating_ids = insert_rows(
        Rating,
        RATING_COLUMNS,
        [
            (visit_id, parsed.rating, parsed.rated_at, Rating.Source.IMPORT, [], "", "", "", "")
            for parsed, visit_id in rated
        ],
        returning_pk=True,
    )
    # A bad review always gets a follow-up, whichever way it reached the portal.
    followups_open(
        ratings=[
            Rating(
                pk=rating_id,
                visit_id=visit_id,
                level=parsed.rating,
                rated_at=parsed.rated_at,
                source=Rating.Source.IMPORT,
            )
            for (parsed, visit_id), rating_id in zip(rated, rating_ids, strict=True)
            if parsed.rating < Rating.GOOD_FROM
        ]
    )


def _parse(row: int, values: dict[str, str], *, refs: _References, fixed_hall: Hall | None) -> _Row:
    """Check every value of a row; raise _Rejected with the first problem."""
    hall = _hall(values["hall_code"], refs=refs, fixed_hall=fixed_hall)
    ticket_no = values["ticket_no"]
    if not ticket_no:
        raise _Rejected(_("missing ticket number"))
    if len(ticket_no) > TICKET_NO_LENGTH:
        raise _Rejected(
            _("ticket number %(value)s is longer than %(max)s characters")
            % {"value": ticket_no, "max": TICKET_NO_LENGTH}
        )
    status = STATUSES.get(values["status"].lower())
    if status is None:
        raise _Rejected(
            _("unknown status %(value)s: use completed, transferred or no_show (办结, 转办, 过号)")
            % {"value": values["status"]}
            if values["status"]
            else _("missing status")
        )
    issued_at = _time(values, ISSUED_AT, required=True)
    called_at = _time(values, CALLED_AT)
    started_at = _time(values, STARTED_AT, required=True)
    finished_at = _time(values, FINISHED_AT, required=status == Visit.Status.COMPLETED)
    if started_at < issued_at:
        raise _Rejected(_("the service started before the ticket was issued"))
    if finished_at is not None and finished_at < started_at:
        raise _Rejected(_("the service finished before it started"))
    window_number = _window_number(values["window_no"], hall=hall, refs=refs)
    staff_id = _staff(values["staff_badge"], hall=hall, refs=refs)
    codes = _service_codes(values["service_codes"], refs=refs)
    rating, rated_at = _rating(values, finished_at=finished_at)
    return _Row(
        row=row,
        hall=hall,
        window_number=window_number,
        staff_id=staff_id,
        codes=codes,
        status=status,
        ticket_no=ticket_no,
        issued_at=issued_at,
        called_at=called_at,
        started_at=started_at,
        finished_at=finished_at,
        rating=rating,
        rated_at=rated_at,
    )


def _hall(code: str, *, refs: _References, fixed_hall: Hall | None) -> Hall:
    if fixed_hall is not None:
        if code and code != fixed_hall.code:
            raise _Rejected(
                _("hall code %(value)s does not match --hall %(code)s")
                % {"value": code, "code": fixed_hall.code}
            )
        return fixed_hall
    if not code:
        raise _Rejected(_("missing hall code"))
    return refs.hall(code)


def _time(values: dict[str, str], column: Column, *, required: bool = False) -> datetime | None:
    """A `YYYY-MM-DD HH:MM:SS` hall local time, as an aware datetime."""
    text = values[column.name]
    if not text:
        if required:
            raise _Rejected(_("missing %(column)s") % {"column": column})
        return None
    # fromisoformat is fast but lenient: only the contract's exact shape is accepted.
    if len(text) == 19 and text[4] == "-" and text[10] == " " and text[13] == ":":
        try:
            return datetime.fromisoformat(text).replace(tzinfo=HALL_TIME_ZONE)
        except ValueError:
            pass
    raise _Rejected(
        _("%(column)s: %(value)s is not a time like %(example)s")
        % {"column": column, "value": text, "example": TIME_FORMAT_EXAMPLE}
    )


def _window_number(text: str, *, hall: Hall, refs: _References) -> int:
    if not text:
        raise _Rejected(_("missing window number"))
    match = WINDOW_NUMBER.fullmatch(text)
    number = int(match.group(1)) if match else 0
    if not 1 <= number <= MAX_WINDOW_NUMBER:
        raise _Rejected(
            _("window number %(value)s is not a whole number from 1 to %(max)s")
            % {"value": text, "max": MAX_WINDOW_NUMBER}
        )
    if number not in refs.windows_of(hall) and not refs.create_missing:
        raise _Rejected(
            _("unknown window %(number)s of hall %(code)s") % {"number": number, "code": hall.code}
        )
    return number


def _staff(badge: str, *, hall: Hall, refs: _References) -> int | None:
    """Staff are configured, never created by the import: an unknown badge is an error."""
    if not badge:
        return None
    staff_id = refs.staff_of(hall).get(badge)
    if staff_id is None:
        raise _Rejected(
            _("unknown staff badge %(badge)s of hall %(code)s")
            % {"badge": badge, "code": hall.code}
        )
    return staff_id


def _service_codes(text: str, *, refs: _References) -> list[str]:
    codes = list(dict.fromkeys(code for code in CODE_SEPARATORS.split(text) if code))
    if not codes:
        raise _Rejected(_("missing service codes"))
    if len(codes) > MAX_ITEMS:
        raise _Rejected(_("too many service codes"))
    unknown = [code for code in codes if code not in refs.items]
    if unknown and not refs.create_missing:
        raise _Rejected(
            ngettext(
                "unknown service code %(codes)s", "unknown service codes %(codes)s", len(unknown)
            )
            % {"codes": ", ".join(unknown)}
        )
    too_long = [code for code in unknown if len(code) > SERVICE_CODE_LENGTH]
    if too_long:
        raise _Rejected(
            _("service code %(code)s is longer than %(max)s characters")
            % {"code": too_long[0], "max": SERVICE_CODE_LENGTH}
        )
    return codes


def _rating(
    values: dict[str, str], *, finished_at: datetime | None
) -> tuple[int | None, datetime | None]:
    """The level and time of the rating; without rated_at the visit's finish time."""
    text = values["rating"]
    if not text:
        return None, None
    if text not in {"1", "2", "3", "4", "5"}:
        raise _Rejected(_("rating %(value)s is not a whole number from 1 to 5") % {"value": text})
    rated_at = _time(values, RATED_AT) or finished_at
    if rated_at is None:
        raise _Rejected(
            _("a rating needs %(rated_at)s or %(finished_at)s")
            % {"rated_at": RATED_AT, "finished_at": FINISHED_AT}
        )
    return int(text), rated_at
