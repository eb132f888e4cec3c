"""Hall scoping for the admin: every hall-owned admin and inline goes through here.

Which halls a user may see is decided by `windows.scoping`; this module applies that
decision to what the admin shows (lists, change pages, autocomplete, filters) and to
what it accepts (the choices of every hall, zone, department, window or staff field).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from windows.scoping import HallScopedQuerySet, granted_hall_ids, visible_hall_ids


def hall_scoped(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    """The queryset limited to the user's halls, if its rows belong to a hall."""
    if isinstance(queryset, HallScopedQuerySet):
        return queryset.for_user(request.user)
    return queryset


def request_hall_ids(request: HttpRequest) -> set[int] | None:
    """Ids of the user's halls, computed once per request; None means every hall."""
    if not hasattr(request, "_visible_hall_ids"):
        hall_ids = visible_hall_ids(request.user)
        request._visible_hall_ids = None if hall_ids is None else {row["pk"] for row in hall_ids}
    return request._visible_hall_ids


def request_granted_hall_ids(request: HttpRequest) -> set[int] | None:
    """Ids of the halls granted to the user by name (HallAccess), once per request: the
    halls whose rows the user's role may add, change or delete; None means every hall."""
    if not hasattr(request, "_granted_hall_ids"):
        hall_ids = granted_hall_ids(request.user)
        request._granted_hall_ids = None if hall_ids is None else {row["pk"] for row in hall_ids}
    return request._granted_hall_ids


def hall_id_of(obj: models.Model) -> int | None:
    """The id of the hall an object belongs to, following its queryset's hall_field."""
    queryset = type(obj)._default_manager.get_queryset()
    if not isinstance(queryset, HallScopedQuerySet):
        return None
    *path, last = queryset.hall_field.split("__")
    if not path and last == "pk":
        return obj.pk
    target = obj
    for name in path:
        target = getattr(target, name)
    return getattr(target, f"{last}_id")


class HallOwnedForm(forms.ModelForm):
    """Validates the per-hall unique constraints even when the hall is not a form field.

    The hall is read-only on a change page and comes from the parent in an inline, so
    Django would leave it out of validation and skip every constraint naming it
    (a duplicate window number would then fail in the database instead of the form).
    """

    def _get_validation_exclusions(self) -> set[str]:
        exclude = super()._get_validation_exclusions()
        if getattr(self.instance, "hall_id", None):
            exclude.discard("hall")
        return exclude


class HallScopedFieldsMixin:
    """Limits the rows and the related-object choices of an admin to the user's halls."""

    form = HallOwnedForm

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return hall_scoped(super().get_queryset(request), request)

    def _scoped_choices(self, db_field, request: HttpRequest, kwargs: dict) -> None:
        if "queryset" in kwargs:
            return
        related = db_field.remote_field.model
        if not isinstance(related._default_manager.get_queryset(), HallScopedQuerySet):
            return
        queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
        if queryset is None:
            queryset = related._default_manager.using(kwargs.get("using")).complex_filter(
                db_field.remote_field.limit_choices_to
            )
        # A form's choices are what it may write: the halls granted by name, not a
        # region's halls a user only sees.
        kwargs["queryset"] = queryset.for_granted_halls(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class HallScopedAdmin(HallScopedFieldsMixin, admin.ModelAdmin):
    """The base of every admin of hall-owned rows.

    An object of a hall the user cannot see is not found (Django's admin then redirects
    to the index with "doesn't exist"), and no permission is granted on it even if some
    code path hands it over. An object never moves to another hall: its hall is
    read-only once it exists.
    """

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and "hall" not in readonly and _has_hall_field(self.model):
            readonly += ("hall",)
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        hall_ids = request_granted_hall_ids(request)
        if (
            "hall" not in initial
            and hall_ids
            and len(hall_ids) == 1
            and _has_hall_field(self.model)
        ):
            # A manager of one hall never has to pick it.
            initial["hall"] = next(iter(hall_ids))
        return initial

    def _in_scope(self, request: HttpRequest, obj, *, write: bool = False) -> bool:
        if obj is None:
            return True
        hall_ids = request_granted_hall_ids(request) if write else request_hall_ids(request)
        return hall_ids is None or hall_id_of(obj) in hall_ids

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self._in_scope(request, obj, write=True)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._in_scope(request, obj, write=True)


class HallScopedTabularInline(HallScopedFieldsMixin, admin.TabularInline):
    pass


class HallScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A related-object filter offering only objects of the rows the user can list."""


def _has_hall_field(model: type[models.Model]) -> bool:
    return any(field.name == "hall" for field in model._meta.concrete_fields)


class ReadOnlyAdmin:
    """For records that only the portal writes (visits, ratings, case history): no one adds,
    changes or deletes them in the admin, whatever their permissions."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SuperuserOnly:
    """For what only the system administrator sees and changes (hall and region accesses,
    regions, the regional bulletins' recipients); put before the admin class it limits."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
