"""One row of the visits import (contracts.md section 2): the file's columns, and every
value of a row checked and turned into the NewVisit the store writes.

Halls, windows, staff and service items are looked up in dicts loaded once (per hall);
a row is rejected (RowRejected) with its first problem. Reading writes nothing, so that
it may run in a forked process (windows/importing/forked.py): a window, service item or
staff badge missing with create_missing gets a provisional key (negative: no pk is) once
the whole row has passed, and is listed in the chunk's NewReferences. The import creates
them in its transaction (`References.create`, one insert per kind and chunk), puts the
real pks in the chunk's rows, and tells the reader (`References.learn`), whose later
rows then carry the real pks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
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


@dataclass(slots=True)
class NewReferences:
    """Windows, service items and staff badges met by a chunk's valid rows and missing
    from the portal (create_missing), each with the key its rows carry: provisional
    (negative) as the reader lists them, the real pk once `References.create` made them."""

    windows: list[tuple[int, int, int]] = field(default_factory=list)  # (hall pk, number, key)
    items: list[tuple[str, int]] = field(default_factory=list)  # (code, key)
    staff: list[tuple[int, str, int]] = field(default_factory=list)  # (hall pk, badge, key)

    def __bool__(self) -> bool:
        return bool(self.windows or self.items or self.staff)

    def keys(self) -> list[int]:
        return [entry[-1] for kind in (self.windows, self.items, self.staff) for entry in kind]


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
        self.new = NewReferences()  # met since the last take_new()
        self.unresolved = 0  # provisional keys handed out and not learned yet
        self._last_key = 0

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

    def _provisional(self) -> int:
        self._last_key -= 1
        self.unresolved += 1
        return self._last_key

    def window_id(self, hall: Hall, number: int) -> int:
        """The window's pk; with create_missing a missing one gets a provisional key."""
        windows = self.windows_of(hall)
        try:
            return windows[number]
        except KeyError:
            key = windows[number] = self._provisional()
            self.new.windows.append((hall.id, number, key))
            return key

    def item_ids(self, codes: list[str]) -> list[int]:
        """The items' pks; with create_missing a missing one gets a provisional key."""
        items = self.items
        try:
            return [items[code] for code in codes]
        except KeyError:
            for code in codes:
                if code not in items:
                    key = items[code] = self._provisional()
                    self.new.items.append((code, key))
            return [items[code] for code in codes]

    def staff_id(self, hall: Hall, badge: str) -> int:
        """The badge's pk; with create_missing a missing one gets a provisional key."""
        staff = self.staff_of(hall)
        try:
            return staff[badge]
        except KeyError:
            key = staff[badge] = self._provisional()
            self.new.staff.append((hall.id, badge, key))
            return key

    def take_new(self) -> NewReferences:
        """The references met since the last call, to be created by the import."""
        new, self.new = self.new, NewReferences()
        return new

    def create(self, new: NewReferences) -> NewReferences:
        """Create what `new` lists, with one insert per kind, in the import's transaction:
        windows as specialist windows (no zone), service items unpublished and named by
        their code, staff badges as cards without a login named by their badge (until a
        manager edits them). Returns the same list with the real pks; counts them."""
        windows = Window.objects.bulk_create(
            Window(hall_id=hall_id, number=number, zone=None) for hall_id, number, _ in new.windows
        )
        items = ServiceItem.objects.bulk_create(
            ServiceItem(code=code, name=code, is_published=False) for code, _ in new.items
        )
        staff = Staff.objects.bulk_create(
            Staff(hall_id=hall_id, badge_no=badge, display_name=badge)
            for hall_id, badge, _ in sorted(new.staff)
        )
        staff_pk = {(card.hall_id, card.badge_no): card.pk for card in staff}
        for kind, made in (("windows", windows), ("service_items", items), ("staff", staff)):
            if made:
                self.created[kind] += len(made)
        return NewReferences(
            windows=[(w.hall_id, w.number, w.pk) for w in windows],
            items=[(item.code, item.pk) for item in items],
            staff=[(hall_id, badge, staff_pk[hall_id, badge]) for hall_id, badge, _ in new.staff],
        )

    def learn(self, created: NewReferences) -> None:
        """Take the real pks of references created (the reader's later rows carry them)."""
        for hall_id, number, pk in created.windows:
            self.windows[hall_id][number] = pk
        for code, pk in created.items:
            self.items[code] = pk
        for hall_id, badge, pk in created.staff:
            self.staff[hall_id][badge] = pk
        self.unresolved -= len(created.keys())


def real_keys(new: NewReferences, created: NewReferences) -> dict[int, int]:
    """Provisional key -> pk, from a chunk's NewReferences and what create() made of them."""
    return dict(zip(new.keys(), created.keys(), strict=True))


def with_real_keys(visits: list[NewVisit], keys: dict[int, int]) -> list[NewVisit]:
    """The visits with every provisional key replaced by its pk."""
    real = keys.get
    resolved = []
    for visit in visits:
        staff_id = visit.staff_id
        provisional_staff = staff_id is not None and staff_id < 0
        if visit.window_id < 0 or provisional_staff or min(visit.item_ids) < 0:
            visit = visit._replace(
                window_id=real(visit.window_id, visit.window_id),
                staff_id=None if staff_id is None else real(staff_id, staff_id),
                item_ids=[real(item, item) for item in visit.item_ids],
            )
        resolved.append(visit)
    return resolved


def parse_chunk(
    chunk: list[tuple[int, dict[str, str]]], *, refs: References, fixed_hall: Hall | None
) -> tuple[list[NewVisit], list[RowError]]:
    """The chunk's valid visits and its row errors. With create_missing, the references
    its valid rows met and the portal lacks wait in `refs.take_new()`."""
    valid: list[NewVisit] = []
    errors: list[RowError] = []
    for row, values in chunk:
        try:
            valid.append(_parse(values, refs=refs, fixed_hall=fixed_hall))
        except RowRejected as exc:
            errors.append(RowError(row=row, reason=exc.reason))
    return valid, errors


def _parse(values: dict[str, str], *, refs: References, fixed_hall: Hall | None) -> NewVisit:
    """Check every value of a row; raise RowRejected with the first problem.

    Missing windows, service items and badges (with create_missing) get their provisional
    keys only once the whole row has passed: a rejected row creates nothing.
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
    # Waiting runs from the issue to the call (evaluations.rollups.WAIT): a call outside
    # issue..start would give a wrong wait.
    if called_at is not None and not issued_at <= called_at <= started_at:
        raise RowRejected(
            _("the ticket was called before it was issued or after its service started")
        )
    if finished_at is not None and finished_at < started_at:
        raise RowRejected(_("the service finished before it started"))
    window_number = _window_number(values["window_no"], hall=hall, refs=refs)
    staff = _staff(values["staff_badge"], hall=hall, refs=refs)
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
        staff_id=refs.staff_id(hall, staff) if staff.__class__ is str else staff,
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


def _staff(badge: str, *, hall: Hall, refs: References) -> int | str | None:
    """The badge's staff pk; an unknown badge is an error, or with create_missing the badge
    itself (given its key once the row has passed)."""
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
        return badge
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
