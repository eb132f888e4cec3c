"""The windows import (contracts.md section 4): a hall's windows from a .csv or .xlsx file.

One row describes one window completely: a re-import sets its name, zone, department
and service items to exactly what the row says (an empty department or name clears it)
and marks it active. Windows the file does not mention are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from windows.models import Department, Hall, ServiceItem, Window, WindowServiceItem, Zone

from .results import ImportResult
from .rows import RowRejected, import_hall_ids, split_codes, validation_reason, window_number
from .tabular import Column, read_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

COLUMNS = (
    Column("hall_code", "大厅编码", required=True),
    Column("hall_name", "大厅名称"),
    Column("window_no", "窗口号", required=True),
    Column("window_name", "窗口名称"),
    Column("zone", "片区", required=True),
    Column("department", "进驻部门"),
    Column("service_codes", "业务编码"),
)
SPECIALIST_ZONE = "专业"
GENERAL_ZONE_ORDER = {name: order for order, name in enumerate(Zone.GENERAL_ZONE_NAMES, 1)}
IMPORT_PERMISSIONS = ("windows.add_window", "windows.change_window")

# Model field -> the file's column, so validation messages name what the user typed.
HALL_COLUMNS = {"code": "hall_code", "name": "hall_name"}
WINDOW_COLUMNS = {"number": "window_no", "name": "window_name"}
DEPARTMENT_COLUMNS = {"name": "department"}
SERVICE_ITEM_COLUMNS = {"code": "service_codes", "name": "service_codes"}


@dataclass(frozen=True)
class _Scope:
    hall_ids: frozenset[int] | None  # None: every hall
    may_create_halls: bool


@transaction.atomic
def windows_import(
    *,
    file: BinaryIO,
    filename: str,
    create_missing: bool = False,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """Import the windows in `file`; each row is saved whole or not at all.

    `user=None` is the command line, an operator who may change and create any hall.
    With a user (the admin upload), rows of halls the user may not see are rejected and
    only a superuser may create a hall. A dry run does everything, then rolls it back,
    so rows that depend on earlier rows are judged as in a real run.
    Raises ImportFileError when the file as a whole is unusable (nothing is saved), and
    PermissionDenied for a user who may not add and change windows (a supervisor).
    """
    scope = _scope_for(user)
    result = ImportResult(dry_run=dry_run)
    first_row_of_window: dict[tuple[str, int], int] = {}
    for row, values in read_rows(file, filename, COLUMNS):
        try:
            code, number = _window_key(values)
            if (code, number) in first_row_of_window:
                raise RowRejected(
                    _("window %(number)s of hall %(code)s is already in row %(row)s")
                    % {"number": number, "code": code, "row": first_row_of_window[code, number]}
                )
            first_row_of_window[code, number] = row
            with transaction.atomic():
                changed = _import_row(
                    values, number=number, scope=scope, create_missing=create_missing
                )
        except RowRejected as exc:
            result.reject(row, exc.reason)
        except IntegrityError:
            result.reject(row, _("conflicts with a change saved at the same time; try again"))
        else:
            if changed:
                result.imported += 1
            else:
                result.unchanged += 1
    if dry_run:
        transaction.set_rollback(True)
    return result


def _scope_for(user: AbstractBaseUser | None) -> _Scope:
    """The operator (no user) and a user who sees every hall may also create halls."""
    hall_ids = import_hall_ids(user, permissions=IMPORT_PERMISSIONS)
    return _Scope(hall_ids=hall_ids, may_create_halls=hall_ids is None)


def _window_key(values: dict[str, str]) -> tuple[str, int]:
    code = values["hall_code"]
    if not code:
        raise RowRejected(_("missing hall code"))
    return code, window_number(values["window_no"])


def _import_row(
    values: dict[str, str], *, number: int, scope: _Scope, create_missing: bool
) -> bool:
    """Save one row; True if anything was created or changed."""
    zone_name = values["zone"]
    if not zone_name:
        raise RowRejected(_("missing zone"))
    if zone_name != SPECIALIST_ZONE and zone_name not in GENERAL_ZONE_ORDER:
        raise RowRejected(
            _("unknown zone %(zone)s: use %(choices)s")
            % {"zone": zone_name, "choices": ", ".join([*GENERAL_ZONE_ORDER, SPECIALIST_ZONE])}
        )
    hall, changed = _hall(values["hall_code"], values["hall_name"], scope=scope)
    items, created = _service_items(values["service_codes"], create_missing=create_missing)
    changed |= created
    zone, created = _zone(hall, zone_name)
    changed |= created
    department, created = _department(hall, values["department"])
    changed |= created
    window, window_changed = _window(
        hall, number, name=values["window_name"], zone=zone, department=department
    )
    items_changed = _set_service_items(window, items)
    return changed or window_changed or items_changed


def _hall(code: str, name: str, *, scope: _Scope) -> tuple[Hall, bool]:
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        # A user who may not create halls learns nothing about which codes exist.
        if not scope.may_create_halls:
            raise RowRejected(_("no permission for hall %(code)s") % {"code": code})
        if not name:
            raise RowRejected(_("new hall %(code)s needs a hall name") % {"code": code})
        hall = Hall(code=code, name=name)
        _save(hall, HALL_COLUMNS)
        return hall, True
    if scope.hall_ids is not None and hall.pk not in scope.hall_ids:
        raise RowRejected(_("no permission for hall %(code)s") % {"code": code})
    if name and name != hall.name:
        hall.name = name
        _save(hall, HALL_COLUMNS)
        return hall, True
    return hall, False


def _service_items(text: str, *, create_missing: bool) -> tuple[list[ServiceItem], bool]:
    codes = split_codes(text)
    found = {item.code: item for item in ServiceItem.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown and not create_missing:
        raise RowRejected(
            ngettext(
                "unknown service code %(codes)s", "unknown service codes %(codes)s", len(unknown)
            )
            % {"codes": ", ".join(unknown)}
        )
    for code in unknown:
        found[code] = ServiceItem(code=code, name=code, is_published=False)
        _save(found[code], SERVICE_ITEM_COLUMNS)
    return [found[code] for code in codes], bool(unknown)


def _zone(hall: Hall, name: str) -> tuple[Zone | None, bool]:
    if name == SPECIALIST_ZONE:
        return None, False
    return Zone.objects.get_or_create(
        hall=hall,
        name=name,
        defaults={"kind": Zone.Kind.GENERAL, "sort_order": GENERAL_ZONE_ORDER[name]},
    )


def _department(hall: Hall, name: str) -> tuple[Department | None, bool]:
    if not name:
        return None, False
    department = Department.objects.filter(hall=hall, name=name).first()
    if department is not None:
        return department, False
    department = Department(hall=hall, name=name)
    _save(department, DEPARTMENT_COLUMNS)
    return department, True


def _window(
    hall: Hall, number: int, *, name: str, zone: Zone | None, department: Department | None
) -> tuple[Window, bool]:
    window = Window.objects.filter(hall=hall, number=number).first()
    if window is None:
        window = Window(hall=hall, number=number)
    elif (
        window.name == name
        and window.zone_id == (zone.pk if zone else None)
        and window.department_id == (department.pk if department else None)
        and window.is_active
    ):
        return window, False
    window.name = name
    window.zone = zone
    window.department = department
    window.is_active = True
    _save(window, WINDOW_COLUMNS)
    return window, True


def _set_service_items(window: Window, items: Iterable[ServiceItem]) -> bool:
    wanted = [item.pk for item in items]
    current = set(window.window_items.values_list("service_item_id", flat=True))
    stale = current.difference(wanted)
    missing = [pk for pk in wanted if pk not in current]
    if stale:
        window.window_items.filter(service_item_id__in=stale).delete()
    if missing:
        WindowServiceItem.objects.bulk_create(
            WindowServiceItem(window=window, service_item_id=pk) for pk in missing
        )
    return bool(stale or missing)


def _save(instance: models.Model, columns: dict[str, str]) -> None:
    """Validate by the model's rules (full_clean) and save, or reject the row."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise RowRejected(validation_reason(exc, columns)) from None
    instance.save()


def windows_import_job(*, file: BinaryIO, filename: str, options: dict, user) -> ImportResult:
    """The windows import as a background job runs it (windows.importing.jobs)."""
    return windows_import(
        file=file,
        filename=filename,
        create_missing=options.get("create_missing", False),
        dry_run=options.get("dry_run", False),
        user=user,
    )
