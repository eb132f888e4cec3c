"""Writes with a business rule on the hall's configuration."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from windows import roles
from windows.models import Department, Hall, Staff


@transaction.atomic
def staff_create(
    *,
    hall: Hall,
    badge_no: str,
    display_name: str,
    username: str,
    password: str,
    department: Department | None = None,
    job_title: str = "",
    photo: UploadedFile | None = None,
    is_active: bool = True,
) -> Staff:
    """Create a staff member's badge card together with their login account.

    The account belongs to the window staff role and never gets admin access
    (is_staff False); the password must pass the configured validators. Raises
    ValidationError, storing nothing, if the account or the card is invalid.
    """
    user = get_user_model()(username=username, is_staff=False, is_active=True)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))

    staff = Staff(
        user=user,
        hall=hall,
        badge_no=badge_no,
        display_name=display_name,
        department=department,
        job_title=job_title,
        is_active=is_active,
    )
    if photo:
        staff.photo = photo
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def staff_set_password(*, staff: Staff, password: str) -> None:
    """Give a staff member's login account a new password (validated)."""
    user = staff.user
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def staff_save(*, staff: Staff) -> Staff:
    """Save a staff member's badge card; a member taken off duty can no longer log in."""
    staff.save()
    user = staff.user
    if user.is_active != staff.is_active:
        user.is_active = staff.is_active
        user.save(update_fields=["is_active"])
    return staff


@transaction.atomic
def staff_delete(*, staff: Staff) -> None:
    """Delete a badge card and close its login account (kept for the records it signed)."""
    user = staff.user
    staff.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
