"""Appointments (预约办) in the admin: the bookable slots per business category, which
managers set, and the bookings, which only the public booking page and the kiosk write.
Both scoped to the user's halls; a citizen's phone is shown masked."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from windows.admin.scoping import (
    HallOwnedForm,
    HallScopedAdmin,
    HallScopedRelatedFilter,
    ReadOnlyAdmin,
)
from windows.booking.selectors import ACTIVE_STATUSES
from windows.models import Appointment, AppointmentSlot
from windows.roles import mask_phone


class AppointmentSlotForm(HallOwnedForm):
    """A slot lies within its category's ticket hours: the kiosk issues its ticket."""

    class Meta:
        model = AppointmentSlot
        fields = ("category", "starts_at", "ends_at", "capacity")

    def clean(self):
        cleaned = super().clean()
        category, starts, ends = (cleaned.get(k) for k in ("category", "starts_at", "ends_at"))
        if category and starts and ends:
            if starts < category.opens_at or ends > category.closes_at:
                raise ValidationError(
                    gettext(
                        "A slot must lie within the ticket hours of %(category)s "
                        "(%(opens)s-%(closes)s): the kiosk issues its ticket."
                    )
                    % {
                        "category": category.name,
                        "opens": category.opens_at.strftime("%H:%M"),
                        "closes": category.closes_at.strftime("%H:%M"),
                    }
                )
        return cleaned


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(HallScopedAdmin):
    form = AppointmentSlotForm
    list_display = ("category", "hall", "starts_at", "ends_at", "capacity", "upcoming")
    list_filter = (("category", HallScopedRelatedFilter),)
    list_select_related = ("category__hall",)
    ordering = ("category__hall__code", "category__sort_order", "category__prefix", "starts_at")
    fields = ("category", "starts_at", "ends_at", "capacity")

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                upcoming_count=Count(
                    "appointments", filter=Q(appointments__status=Appointment.Status.BOOKED)
                )
            )
        )

    @admin.display(description=_("hall"), ordering="category__hall__code")
    def hall(self, slot: AppointmentSlot):
        return slot.category.hall

    @admin.display(description=_("bookings not yet checked in"), ordering="upcoming_count")
    def upcoming(self, slot: AppointmentSlot) -> int:
        return slot.upcoming_count

    def has_delete_permission(self, request, obj=None):
        # A slot with bookings stays (the bookings point at it); it can get capacity 0.
        if obj is not None and obj.appointments.filter(status__in=ACTIVE_STATUSES).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin, HallScopedAdmin):
    list_display = (
        "day",
        "slot_time",
        "category",
        "name",
        "masked_phone",
        "code",
        "status",
        "checked_in_at",
        "ticket",
    )
    list_filter = ("status", "day", ("category", HallScopedRelatedFilter))
    search_fields = ("=code", "name")
    date_hierarchy = "day"
    list_select_related = ("category", "slot", "visit")
    ordering = ("-day", "starts_at")
    fields = (
        "hall",
        "category",
        "day",
        "slot_time",
        "name",
        "masked_phone",
        "id_last4",
        "code",
        "status",
        "booked_at",
        "checked_in_at",
        "ticket",
    )
    readonly_fields = fields

    @admin.display(description=_("time slot"), ordering="starts_at")
    def slot_time(self, appointment: Appointment) -> str:
        return str(appointment.slot)

    @admin.display(description=_("phone"))
    def masked_phone(self, appointment: Appointment) -> str:
        return mask_phone(appointment.phone)

    @admin.display(description=_("ticket"))
    def ticket(self, appointment: Appointment) -> str:
        return appointment.visit.ticket_no if appointment.visit_id else "—"
