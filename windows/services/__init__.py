"""Writes with a business rule, one module per subject, re-exported here."""

from .staff import staff_create, staff_delete, staff_save, staff_set_password
from .visits import (
    VisitInProgress,
    visit_finish,
    visit_no_show,
    visit_start,
    visit_transfer,
    window_sign_in,
    window_sign_out,
)

__all__ = [
    "VisitInProgress",
    "staff_create",
    "staff_delete",
    "staff_save",
    "staff_set_password",
    "visit_finish",
    "visit_no_show",
    "visit_start",
    "visit_transfer",
    "window_sign_in",
    "window_sign_out",
]
