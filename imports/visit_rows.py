"""One row of the visits import (contracts.md section 2): the file's columns, and every
value of a row checked and turned into the NewVisit the store writes.

Halls, windows, staff and service items are looked up in dicts loaded once (per hall);
a row is rejected (RowRejected) with its first problem, and missing windows, service
items and staff badges are created (with create_missing) only once the whole row has
passed: windows and items as the row needs them, badges once per chunk for all its valid
rows (one bulk insert), as badge cards without a login named by their badge.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from windows.importing.results import RowError
from windows.importing.rows import (
    RowRejected,
    importable_hall,
    row_hall,
    split_codes,
    window_number,
)
from windows.importing.tabular import Column
from windows.models import Hall, ServiceItem, Staff, Visit, Window
from windows.rules.hall_time import hall_zone

from .visit_store import NewVisit

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

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
BADGE_LENGTH = Staff._meta.get_field("badge_no").max_length
# A parsed row's staff_id while its badge waits to be created (create_missing): no pk is 0.
NEW_STAFF = 0


class References:
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
        self.created: Counter[str] = Counter()  # kinds of ImportResult.count_created

    def hall(self, code: str) -> Hall:
        return importable_hall(code, self.halls.get(code), hall_ids=self.hall_ids)

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
            self.created["windows"] += 1
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
                    self.created["service_items"] += 1
            return [items[code] for code in codes]

    def create_staff(self, badges: set[tuple[int, str]]) -> None:
        """Create the (hall pk, badge) cards with create_missing, with one insert: badge
        cards without a login, named by their badge until a manager edits them."""
        created = Staff.objects.bulk_create(
            Staff(hall_id=hall_id, badge_no=badge, display_name=badge)
            for hall_id, badge in sorted(badges)
        )
        for staff in created:
            self.staff[staff.hall_id][staff.badge_no] = staff.pk
        self.created["staff"] += len(created)


def parse_chunk(
    chunk: list[tuple[int, dict[str, str]]], *, refs: References, fixed_hall: Hall | None
) -> tuple[list[NewVisit], list[RowError]]:
    """The chunk's valid visits and its row errors; the unknown badges of the valid rows
    are created (create_missing) once for the chunk."""
    valid: list[NewVisit] = []
    errors: list[RowError] = []
    new_staff: list[tuple[int, str]] = []  # (index in valid, badge)
    for row, values in chunk:
        try:
            visit = _parse(values, refs=refs, fixed_hall=fixed_hall)
        except RowRejected as exc:
            errors.append(RowError(row=row, reason=exc.reason))
            continue
        if visit.staff_id == NEW_STAFF:
            new_staff.append((len(valid), values["staff_badge"]))
        valid.append(visit)
    if new_staff:
        refs.create_staff({(valid[index].hall_id, badge) for index, badge in new_staff})
        for index, badge in new_staff:
            visit = valid[index]
            valid[index] = visit._replace(staff_id=refs.staff[visit.hall_id][badge])
    return valid, errors


def _parse(values: dict[str, str], *, refs: References, fixed_hall: Hall | None) -> NewVisit:
    """Check every value of a row; raise RowRejected with the first problem.

    Missing windows and service items are created (with create_missing) only once the
    whole row has passed.
    """
    hall = row_hall(values["hall_code"], fixed_hall=fixed_hall, lookup=refs.hall)
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


def _window_number(text: str, *, hall: Hall, refs: References) -> int:
    number = window_number(text)
    if number not in refs.windows_of(hall) and not refs.create_missing:
        raise RowRejected(
            _("unknown window %(number)s of hall %(code)s") % {"number": number, "code": hall.code}
        )
    return number


def _staff(badge: str, *, hall: Hall, refs: References) -> int | None:
    """The badge's staff pk; an unknown badge is an error, or with create_missing NEW_STAFF
    (parse_chunk creates it once the row has passed)."""
    if not badge:
        return None
    staff_id = refs.staff_of(hall).get(badge)
    if staff_id is None:
        if not refs.create_missing:
            raise RowRejected(
                _("unknown staff badge %(badge)s of hall %(code)s")
                % {"badge": badge, "code": hall.code}
            )
        if len(badge) > BADGE_LENGTH:
            raise RowRejected(
                _("staff badge %(badge)s is longer than %(max)s characters")
                % {"badge": badge, "max": BADGE_LENGTH}
            )
        return NEW_STAFF
    return staff_id


def _service_codes(text: str, *, refs: References) -> list[str]:
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
