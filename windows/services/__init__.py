"""Writes with a business rule, one module per subject, re-exported here."""

from .staff import (
    staff_create,
    staff_delete,
    staff_login_create,
    staff_save,
    staff_set_password,
)
from .visits import (
    visit_finish,
    visit_no_show,
    visit_put_back,
    visit_start,
    visit_transfer,
    visits_abandon_stale,
)
from .window_sessions import window_sign_in, window_sign_out

__all__ = [
    "staff_create",
    "staff_delete",
    "staff_login_create",
    "staff_save",
    "staff_set_password",
    "visit_finish",
    "visit_no_show",
    "visit_put_back",
    "visit_start",
    "visit_transfer",
    "visits_abandon_stale",
    "window_sign_in",
    "window_sign_out",
]
