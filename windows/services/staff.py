"""Writes with a business rule on the hall's configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from windows import roles
from windows.models import Department, Hall, Staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


@transaction.atomic
def staff_create(
    *,
    hall: Hall,
    badge_no: str,
    display_name: str,
    username: str = "",
    password: str | None = None,
    department: Department | None = None,
    job_title: str = "",
    email: str = "",
    photo: UploadedFile | None = None,
    is_active: bool = True,
) -> Staff:
    """Create a staff member's badge card, with a login account if a username is given.

    A card without a login is valid (historical staff, staff who never use the console);
    staff_login_create gives it one later. Raises ValidationError, storing nothing, if
    the card or the account is invalid.
    """
    staff = Staff(
        hall=hall,
        badge_no=badge_no,
        display_name=display_name,
        department=department,
        job_title=job_title,
        email=email,
        is_active=is_active,
    )
    if photo:
        staff.photo = photo
    staff.full_clean()
    staff.save()
    if username:
        staff_login_create(staff=staff, username=username, password=password)
    return staff


@transaction.atomic
def staff_login_create(*, staff: Staff, username: str, password: str | None) -> AbstractUser:
    """Give a badge card without one its login account, in the window staff role.

    The account never gets admin access (is_staff False) and is active only while the card
    is on duty. With a password (checked by the configured validators) the staff member
    can sign in at once; without one (the staff import) the account has no usable password
    until a manager sets one. The staff member's email stays on the card
    (windows.contacts), not on the account. Raises ValidationError, storing nothing, if
    the username is invalid or taken (whatever its case) or the password too weak.
    """
    if staff.user_id is not None:
        raise ValueError(f"{staff} already has a login account")
    user_model = get_user_model()
    user = user_model(username=username, is_staff=False, is_active=staff.is_active)
    if user_model._default_manager.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("A user with that username already exists.")}, code="unique"
        )
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=roles.WINDOW_STAFF))
    staff.user = user
    staff.save(update_fields=["user"])
    return user


@transaction.atomic
def staff_set_password(*, staff: Staff, password: str) -> None:
    """Give a staff member's login account a new password (validated)."""
    user = staff.user
    if user is None:
        raise ValueError(f"{staff} has no login account")
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def staff_save(*, staff: Staff) -> Staff:
    """Save a staff member's badge card; a member taken off duty can no longer log in
    (and can again once back on duty)."""
    staff.save()
    user = staff.user
    if user is not None and user.is_active != staff.is_active:
        user.is_active = staff.is_active
        user.save(update_fields=["is_active"])
    return staff


@transaction.atomic
def staff_delete(*, staff: Staff) -> None:
    """Delete a badge card and close its login account (kept for the records it signed)."""
    user = staff.user
    staff.delete()
    if user is not None:
        user.is_active = False
        user.save(update_fields=["is_active"])
