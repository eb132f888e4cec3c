"""A person's email address: the one rule every reminder, alert and notice follows.

A staff member is reached at the address on their badge card (`Staff.email`, set by the
hall's managers in the staff admin or by the staff import), whether the card has a login
account or not; the login account's own address is not used for them. Anyone without a
badge card (a manager, a supervisor, the system administrator) is reached at their
account's address. An empty address reaches nobody.

Only people who can act are reached: an active account, and for a staff member a card on
duty (在岗).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import CharField, F, Q, QuerySet, When
from django.db.models.expressions import Case

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from windows.models import Staff


def user_email_expression() -> Case:
    """The rule as an expression over a user queryset (for annotate, filter, values)."""
    return Case(
        When(staff_profile__isnull=False, then=F("staff_profile__email")),
        default=F("email"),
        output_field=CharField(),
    )


def email_of(user: AbstractBaseUser) -> str:
    """The address that reaches one user ("" for none; none for a card off duty)."""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return user.email
    return profile.email if profile.is_active else ""


def staff_email(staff: Staff) -> str:
    """The address that reaches one staff member ("" for none)."""
    return staff.email


def user_emails(users: QuerySet) -> list[str]:
    """The distinct addresses that reach these users (active ones, and for staff with a
    card on duty), sorted."""
    return list(
        users.filter(is_active=True)
        .exclude(staff_profile__is_active=False)
        .annotate(contact_email=user_email_expression())
        .exclude(contact_email="")
        .order_by("contact_email")
        .values_list("contact_email", flat=True)
        .distinct()
    )


def staff_emails(staff: QuerySet) -> list[str]:
    """The distinct addresses that reach these staff members (on duty, with an active
    login if they have one), sorted."""
    return list(
        staff.filter(Q(user__isnull=True) | Q(user__is_active=True), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
