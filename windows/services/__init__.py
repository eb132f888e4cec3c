"""Writes with a business rule, one module per subject, re-exported here."""

from .staff import staff_create, staff_delete, staff_save, staff_set_password

__all__ = ["staff_create", "staff_delete", "staff_save", "staff_set_password"]
