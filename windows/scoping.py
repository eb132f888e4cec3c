"""One place that decides which halls a user may see, and filters querysets by it.

Every model that belongs to a hall uses `HallScopedQuerySet` (directly or through a
subclass) and names the path to its hall in `hall_field`; views, the admin and the API
call `.for_user(user)` and never filter by hall themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def visible_hall_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet | None:
    """Ids of the halls a user may see; None means every hall (a superuser).

    Managers and supervisors are granted halls explicitly (HallAccess). Window staff
    see their own data through their staff profile, never a hall's.
    """
    from windows.models import Hall

    if not user.is_authenticated or not user.is_active:
        return Hall.objects.none().values("pk")
    if user.is_superuser:
        return None
    return Hall.objects.filter(accesses__user=user).values("pk")


class HallScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a hall reachable through `hall_field`."""

    hall_field = "hall"

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> HallScopedQuerySet:
        hall_ids = visible_hall_ids(user)
        if hall_ids is None:
            return self
        return self.filter(**{f"{self.hall_field}__in": hall_ids})

    def for_hall(self, hall) -> HallScopedQuerySet:
        return self.filter(**{self.hall_field: hall})
