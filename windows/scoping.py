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
    from django.http import HttpRequest


def visible_hall_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet | None:
    """Ids of the halls a user may see; None means every hall (a superuser).

    Managers and supervisors are granted halls explicitly (HallAccess); regional users
    are granted regions (RegionAccess) and see the halls of those regions and of their
    districts. Window staff see their own data through their staff profile, never a hall's.
    Seeing a hall is never managing it: that is windows.roles' decision (HallAccess and the
    manager role).
    """
    from django.db.models import Q

    from windows.models import Hall

    if not user.is_authenticated or not user.is_active:
        return Hall.objects.none().values("pk")
    if user.is_superuser:
        return None
    return Hall.objects.filter(
        Q(pk__in=granted_hall_ids(user)) | Q(region__in=visible_region_ids(user))
    ).values("pk")


def granted_hall_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet | None:
    """Ids of the halls granted to the user by name (HallAccess); None for a superuser."""
    from windows.models import Hall

    if not user.is_authenticated or not user.is_active:
        return Hall.objects.none().values("pk")
    if user.is_superuser:
        return None
    return Hall.objects.filter(accesses__user=user).values("pk")


def visible_region_ids(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet | None:
    """Ids of the regions a user may see: those granted (RegionAccess) and their districts;
    None means every region (a superuser)."""
    from django.db.models import Q

    from windows.models import Region

    if not user.is_authenticated or not user.is_active:
        return Region.objects.none().values("pk")
    if user.is_superuser:
        return None
    granted = Region.objects.filter(accesses__user=user).values("pk")
    return Region.objects.filter(Q(pk__in=granted) | Q(parent__in=granted)).values("pk")


def user_regions(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet:
    """The regions a user may see, by code (what the regional page offers)."""
    from windows.models import Region

    region_ids = visible_region_ids(user)
    regions = (
        Region.objects.all() if region_ids is None else Region.objects.filter(pk__in=region_ids)
    )
    return regions.order_by("code")


class HallScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a hall reachable through `hall_field`."""

    hall_field = "hall"

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> HallScopedQuerySet:
        hall_ids = visible_hall_ids(user)
        if hall_ids is None:
            return self
        return self.filter(**{f"{self.hall_field}__in": hall_ids})

    def for_granted_halls(self, user: AbstractBaseUser | AnonymousUser) -> HallScopedQuerySet:
        """Only the rows of the halls granted to the user by name (HallAccess; every hall for
        a superuser): what the user's role may change. A region's halls are seen, never
        changed, even by a user who also manages another hall."""
        hall_ids = granted_hall_ids(user)
        if hall_ids is None:
            return self
        return self.filter(**{f"{self.hall_field}__in": hall_ids})

    def for_hall(self, hall) -> HallScopedQuerySet:
        return self.filter(**{self.hall_field: hall})


def user_halls(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet:
    """The halls a user may see, by code: what every hall selector offers."""
    from windows.models import Hall

    return Hall.objects.for_user(user).order_by("code")


def hall_from_request(
    request: HttpRequest, halls: models.QuerySet | None = None, *, required: bool = False
):
    """The hall named by `?hall=CODE` among `halls` (by default the user's), else the first.

    Another hall's code is a 404, never a 403 that would confirm the hall exists; with
    `required`, a missing code is a 404 too. None when the user has no hall at all.
    """
    from django.shortcuts import get_object_or_404

    halls = user_halls(request.user) if halls is None else halls
    code = request.GET.get("hall", "")
    if code or required:
        return get_object_or_404(halls, code=code)
    return halls.first()
