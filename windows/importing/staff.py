"""The staff import (contracts.md section 4a): a hall's badge cards from a .csv or .xlsx file.

One row is one staff member, found by (hall, badge_no): a new badge becomes a card, a
known one is set to what the row says. A column the file does not have leaves that
field of the existing cards as it is (a file of badges and names keeps the emails the
managers set); an empty cell clears it, and an empty on_duty means yes. Departments are
created when new, and counted on a line before the summary.

A username gives a card without a login its login account (window staff role, no usable
password until a manager sets one in the admin). The import never renames, re-passwords
or removes a login: a row naming another username for a card that has one is rejected,
an empty username leaves the login alone. Taking a card off duty (在岗 否) closes its
login, as the admin does (staff_save).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from windows.models import Department, Hall, Staff
from windows.services import staff_create, staff_login_create, staff_save

from .results import ImportFileError, ImportResult
from .rows import RowRejected, import_hall_ids, importable_hall, row_hall, validation_reason
from .tabular import Column, read_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

HALL_CODE = Column("hall_code", "大厅编码")  # required unless --hall
BADGE_NO = Column("badge_no", "工号", required=True)
NAME = Column("name", "姓名", required=True)
DEPARTMENT = Column("department", "部门")
JOB_TITLE = Column("job_title", "职务")
EMAIL = Column("email", "邮箱")
ON_DUTY = Column("on_duty", "在岗")
USERNAME = Column("username", "登录名")
COLUMNS = (HALL_CODE, BADGE_NO, NAME, DEPARTMENT, JOB_TITLE, EMAIL, ON_DUTY, USERNAME)

IMPORT_PERMISSIONS = ("windows.add_staff", "windows.change_staff")
ON_DUTY_VALUES = {"是": True, "否": False, "yes": True, "no": False}

# Model field -> the file's column, so validation messages name what the user typed.
STAFF_COLUMNS = {
    "badge_no": BADGE_NO.name,
    "display_name": NAME.name,
    "job_title": JOB_TITLE.name,
    "email": EMAIL.name,
    "username": USERNAME.name,
}
DEPARTMENT_COLUMNS = {"name": DEPARTMENT.name}


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


MAX_LENGTHS = {
    BADGE_NO.name: _max_length(Staff, "badge_no"),
    NAME.name: _max_length(Staff, "display_name"),
    DEPARTMENT.name: _max_length(Department, "name"),
    JOB_TITLE.name: _max_length(Staff, "job_title"),
    EMAIL.name: _max_length(Staff, "email"),
    USERNAME.name: _max_length(get_user_model(), get_user_model().USERNAME_FIELD),
}


@dataclass(frozen=True)
class StaffRow:
    """A row's values, checked."""

    hall: Hall
    badge_no: str
    name: str
    department: str
    job_title: str
    email: str
    on_duty: bool
    username: str


class _Halls:
    """The halls rows name, each looked up once, limited to the halls the user may import
    into (hall_ids None: every hall)."""

    def __init__(self, hall_ids: frozenset[int] | None) -> None:
        self.hall_ids = hall_ids
        self.found: dict[str, Hall | None] = {}

    def get(self, code: str) -> Hall:
        if code not in self.found:
            self.found[code] = Hall.objects.filter(code=code).first()
        return importable_hall(code, self.found[code], hall_ids=self.hall_ids)


@transaction.atomic
def staff_import(
    *,
    file: BinaryIO,
    filename: str,
    hall_code: str | None = None,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """Import the staff in `file`; each row is saved whole or not at all.

    `hall_code` (the command's --hall) names the hall of every row: the file then needs no
    hall_code column, and a row whose hall_code disagrees is rejected. The hall must exist.
    `user=None` is the command line, an operator who may import into any hall; with a user
    (the admin upload), rows of halls the user may not see are rejected. A dry run does
    everything, then rolls it back. Raises ImportFileError when the file as a whole is
    unusable or --hall names no hall the user may import into (nothing is saved), and
    PermissionDenied for a user who may not add and change staff.
    """
    halls = _Halls(import_hall_ids(user, permissions=IMPORT_PERMISSIONS))
    fixed_hall = None
    if hall_code is not None:
        try:
            fixed_hall = halls.get(hall_code)
        except RowRejected as exc:
            raise ImportFileError(exc.reason) from None
    columns = (Column(HALL_CODE.name, HALL_CODE.chinese, required=fixed_hall is None), *COLUMNS[1:])
    present: set[str] = set()
    rows = read_rows(file, filename, columns, present=present)
    result = ImportResult(dry_run=dry_run)
    first_row_of_badge: dict[tuple[int, str], int] = {}
    first_row_of_username: dict[str, int] = {}
    for row, values in rows:
        try:
            parsed = _parse(values, halls=halls, fixed_hall=fixed_hall)
            _first_in_file(parsed, row, badges=first_row_of_badge, usernames=first_row_of_username)
            with transaction.atomic():
                changed, new_department = _import_row(parsed, present=present)
        except RowRejected as exc:
            result.reject(row, exc.reason)
        except IntegrityError:
            result.reject(row, _("conflicts with a change saved at the same time; try again"))
        else:
            if new_department:
                result.count_created("departments")
            if changed:
                result.imported += 1
            else:
                result.unchanged += 1
    if dry_run:
        transaction.set_rollback(True)
    return result


def _parse(values: dict[str, str], *, halls: _Halls, fixed_hall: Hall | None) -> StaffRow:
    """Check every value of a row; raise RowRejected with the first problem."""
    hall = row_hall(values[HALL_CODE.name], fixed_hall=fixed_hall, lookup=halls.get)
    for column in (BADGE_NO, NAME, DEPARTMENT, JOB_TITLE, EMAIL, USERNAME):
        if len(values[column.name]) > MAX_LENGTHS[column.name]:
            raise RowRejected(
                _("%(column)s is longer than %(max)s characters")
                % {"column": column, "max": MAX_LENGTHS[column.name]}
            )
    if not values[BADGE_NO.name]:
        raise RowRejected(_("missing badge number"))
    if not values[NAME.name]:
        raise RowRejected(_("missing name"))
    email = values[EMAIL.name]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RowRejected(
                _("email %(value)s is not a valid email address") % {"value": email}
            ) from None
    return StaffRow(
        hall=hall,
        badge_no=values[BADGE_NO.name],
        name=values[NAME.name],
        department=values[DEPARTMENT.name],
        job_title=values[JOB_TITLE.name],
        email=email,
        on_duty=_on_duty(values[ON_DUTY.name]),
        username=_username(values[USERNAME.name]),
    )


def _on_duty(text: str) -> bool:
    if not text:
        return True
    on_duty = ON_DUTY_VALUES.get(text.lower())
    if on_duty is None:
        raise RowRejected(
            _("%(column)s: %(value)s is not 是, 否, yes or no") % {"column": ON_DUTY, "value": text}
        )
    return on_duty


def _username(text: str) -> str:
    if not text:
        return ""
    user_model = get_user_model()
    try:
        user_model._meta.get_field(user_model.USERNAME_FIELD).run_validators(text)
    except ValidationError as exc:
        raise RowRejected(f"{USERNAME}: {' '.join(exc.messages)}") from None
    return text


def _first_in_file(
    parsed: StaffRow, row: int, *, badges: dict[tuple[int, str], int], usernames: dict[str, int]
) -> None:
    """Reject a row whose badge (in its hall) or username an earlier row of the file has."""
    key = (parsed.hall.pk, parsed.badge_no)
    if key in badges:
        raise RowRejected(
            _("badge %(badge)s of hall %(code)s is already in row %(row)s")
            % {"badge": parsed.badge_no, "code": parsed.hall.code, "row": badges[key]}
        )
    badges[key] = row
    if parsed.username:
        folded = parsed.username.casefold()
        if folded in usernames:
            raise RowRejected(
                _("username %(username)s is already in row %(row)s")
                % {"username": parsed.username, "row": usernames[folded]}
            )
        usernames[folded] = row


def _import_row(parsed: StaffRow, *, present: set[str]) -> tuple[bool, bool]:
    """Save one row; whether anything was created or changed, and whether its department
    was created."""
    staff = (
        Staff.objects.select_related("user")
        .filter(hall=parsed.hall, badge_no=parsed.badge_no)
        .first()
    )
    new_login = _new_login(parsed, staff)
    department, new_department = _department(parsed, staff, present=present)
    changed = new_department
    try:
        if staff is None:
            staff_create(
                hall=parsed.hall,
                badge_no=parsed.badge_no,
                display_name=parsed.name,
                department=department,
                job_title=parsed.job_title,
                email=parsed.email,
                is_active=parsed.on_duty,
                username=new_login,
            )
            return True, new_department
        changed |= _update_card(staff, parsed, department=department, present=present)
        if new_login:
            staff_login_create(staff=staff, username=new_login, password=None)
            changed = True
    except ValidationError as exc:
        raise RowRejected(validation_reason(exc, STAFF_COLUMNS)) from None
    return changed, new_department


def _new_login(parsed: StaffRow, staff: Staff | None) -> str:
    """The username of the login to create for the row's card ("" for none)."""
    username = parsed.username
    if not username:
        return ""
    if staff is not None and staff.user is not None:
        current = staff.user.get_username()
        if current.casefold() != username.casefold():
            raise RowRejected(
                _(
                    "badge %(badge)s already has the login %(current)s; "
                    "the import never changes a login"
                )
                % {"badge": staff.badge_no, "current": current}
            )
        return ""
    user_model = get_user_model()
    taken = (
        user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username})
        .select_related("staff_profile", "staff_profile__hall")
        .first()
    )
    if taken is None:
        return username
    card = getattr(taken, "staff_profile", None)
    if card is not None and card.hall_id == parsed.hall.pk:
        raise RowRejected(
            _("username %(username)s is already the login of badge %(badge)s")
            % {"username": username, "badge": card.badge_no}
        )
    raise RowRejected(_("username %(username)s is already taken") % {"username": username})


def _department(
    parsed: StaffRow, staff: Staff | None, *, present: set[str]
) -> tuple[Department | None, bool]:
    """The row's department (created if new; kept as it is when the file has no such
    column), and whether one was created."""
    if DEPARTMENT.name not in present:
        return (staff.department if staff is not None else None), False
    if not parsed.department:
        return None, False
    department = Department.objects.filter(hall=parsed.hall, name=parsed.department).first()
    if department is not None:
        return department, False
    department = Department(hall=parsed.hall, name=parsed.department)
    try:
        department.full_clean()
    except ValidationError as exc:
        raise RowRejected(validation_reason(exc, DEPARTMENT_COLUMNS)) from None
    department.save()
    return department, True


def _update_card(
    staff: Staff, parsed: StaffRow, *, department: Department | None, present: set[str]
) -> bool:
    wanted = {"display_name": parsed.name}
    if DEPARTMENT.name in present:
        wanted["department_id"] = department.pk if department else None
    if JOB_TITLE.name in present:
        wanted["job_title"] = parsed.job_title
    if EMAIL.name in present:
        wanted["email"] = parsed.email
    if ON_DUTY.name in present:
        wanted["is_active"] = parsed.on_duty
    if all(getattr(staff, field) == value for field, value in wanted.items()):
        return False
    for field, value in wanted.items():
        setattr(staff, field, value)
    staff.full_clean()
    staff_save(staff=staff)
    return True


def staff_import_job(*, file: BinaryIO, filename: str, options: dict, user) -> ImportResult:
    """The staff import as a background job runs it (windows.importing.jobs)."""
    return staff_import(
        file=file,
        filename=filename,
        hall_code=options.get("hall_code"),
        dry_run=options.get("dry_run", False),
        user=user,
    )
