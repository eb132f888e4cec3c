"""Citizens' phone numbers are personal data: masked for everyone without a need to call.

Whoever may call the complainant back sees the number: the case's handler and the
managers of its hall (users who may change complaints and see that hall). Everyone else
(supervisors, other halls, window staff) sees 138****1234.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from windows.scoping import visible_hall_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from evaluations.models import Complaint

SHORTEST_PARTLY_SHOWN = 8


def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four characters; shorter numbers fully masked."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) < SHORTEST_PARTLY_SHOWN:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def is_hall_manager(*, user: AbstractBaseUser | AnonymousUser, hall_id: int) -> bool:
    """A user who may change the complaints of the hall (a manager of it, or a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not user.has_perm("evaluations.change_complaint"):
        return False
    hall_ids = visible_hall_ids(user)
    return hall_ids is None or hall_ids.filter(pk=hall_id).exists()


def may_see_phone(*, user: AbstractBaseUser | AnonymousUser, complaint: Complaint) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if complaint.handler_id is not None and complaint.handler_id == user.pk:
        return True
    return is_hall_manager(user=user, hall_id=complaint.hall_id)


def shown_phone(*, user: AbstractBaseUser | AnonymousUser, complaint: Complaint) -> str:
    """The complainant's phone as this user may see it."""
    if may_see_phone(user=user, complaint=complaint):
        return complaint.callback_phone
    return mask_phone(complaint.callback_phone)


def phone_visibility(
    user: AbstractBaseUser | AnonymousUser,
) -> Callable[[Complaint], bool]:
    """may_see_phone for many cases of one user (a list), with the halls looked up once."""
    if not user.is_authenticated or not user.is_active:
        return lambda complaint: False
    managed: set[int] | None = set()
    if user.has_perm("evaluations.change_complaint"):
        hall_ids = visible_hall_ids(user)
        managed = None if hall_ids is None else {row["pk"] for row in hall_ids}

    def sees(complaint: Complaint) -> bool:
        if complaint.handler_id is not None and complaint.handler_id == user.pk:
            return True
        return managed is None or complaint.hall_id in managed

    return sees
