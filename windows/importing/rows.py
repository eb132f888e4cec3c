"""What every import checks the same way in a row: one module for the windows, staff and
visits imports (the row's hall, window numbers, code lists, who may import into which hall).

A row that fails a check raises RowRejected with the reason the user reads after
"row N: " (contracts.md section 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from windows.scoping import granted_hall_ids

MAX_WINDOW_NUMBER = 32767  # PositiveSmallIntegerField
WINDOW_NUMBER = re.compile(r"(\d+)\s*号?")  # 5, 5号, "5 号"
CODE_SEPARATORS = re.compile(r"[;；,，、\s]+")  # A;B, A；B, A,B, A、B, A B


class RowRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


HallT = TypeVar("HallT")


def importable_hall(code: str, hall: HallT | None, *, hall_ids: frozenset[int] | None) -> HallT:
    """The hall a row's code found (None: no such hall), if the importer may import into
    it (hall_ids None: every hall); else the row is rejected."""
    if hall_ids is not None and (hall is None or hall.pk not in hall_ids):
        # A user limited to some halls learns nothing about which codes exist.
        raise RowRejected(_("no permission for hall %(code)s") % {"code": code})
    if hall is None:
        raise RowRejected(_("unknown hall %(code)s") % {"code": code})
    return hall


def row_hall(code: str, *, fixed_hall: HallT | None, lookup: Callable[[str], HallT]) -> HallT:
    """The row's hall: the one `--hall` names (a row may repeat its code, not name
    another), else the row's hall code looked up (`lookup` rejects an unknown one or one
    the importer may not import into)."""
    if fixed_hall is not None:
        if code and code != fixed_hall.code:
            raise RowRejected(
                _("hall code %(value)s does not match --hall %(code)s")
                % {"value": code, "code": fixed_hall.code}
            )
        return fixed_hall
    if not code:
        raise RowRejected(_("missing hall code"))
    return lookup(code)


def window_number(text: str) -> int:
    """The window number a cell gives (5, 5号); RowRejected unless it is 1 to 32767."""
    if not text:
        raise RowRejected(_("missing window number"))
    if text.isascii() and text.isdigit():
        number = int(text)
    else:
        match = WINDOW_NUMBER.fullmatch(text)
        number = int(match.group(1)) if match else 0
    if not 1 <= number <= MAX_WINDOW_NUMBER:
        raise RowRejected(
            _("window number %(value)s is not a whole number from 1 to %(max)s")
            % {"value": text, "max": MAX_WINDOW_NUMBER}
        )
    return number


def split_codes(text: str) -> list[str]:
    """The codes of a cell, in order, each once; [] for an empty cell."""
    codes = CODE_SEPARATORS.split(text)
    if len(codes) > 1:
        codes = list(dict.fromkeys(code for code in codes if code))
    return codes if codes and codes[0] else []


def import_hall_ids(
    user: AbstractBaseUser | None, *, permissions: Iterable[str]
) -> frozenset[int] | None:
    """The halls the user may import into (None: every hall, as for a command run by the
    operator); PermissionDenied without the import's permissions."""
    if user is None:
        return None
    if not user.has_perms(tuple(permissions)):
        raise PermissionDenied
    hall_ids = granted_hall_ids(user)  # a region's halls are seen, never written
    if hall_ids is None:
        return None
    return frozenset(row["pk"] for row in hall_ids)


def validation_reason(exc: ValidationError, columns: dict[str, str]) -> str:
    """A model's ValidationError as a row's reason, naming each field by the file's column
    (`columns`: model field -> column) so the user reads what they typed."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for field, messages in exc.message_dict.items():
        text = " ".join(messages)
        parts.append(text if field == NON_FIELD_ERRORS else f"{columns.get(field, field)}: {text}")
    return "; ".join(parts)
