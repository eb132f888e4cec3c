"""Appointments (预约办): bookable time slots per business category, and the bookings.

A citizen books a slot of a business day on the public booking page, gets a confirmation
code, and checks in with it at the kiosk, which issues a ticket called first once the
slot is due. A booking not checked in by the end of its slot is a miss.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .halls import Hall
from .queue import QueueCategory
from .visits import Visit


class AppointmentSlotQuerySet(HallScopedQuerySet):
    hall_field = "category__hall"


class AppointmentSlot(models.Model):
    """A time slot of every business day a category can be booked for, with its capacity."""

    category = models.ForeignKey(
        QueueCategory,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("business category"),
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("bookings per slot"), default=5)

    objects = AppointmentSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["category", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "starts_at"], name="one_slot_per_category_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="slot_ends_after_it_starts",
                violation_error_message=_("A slot must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CHECKED_IN = "checked_in", _("checked in")
        CANCELLED = "cancelled", _("cancelled")
        MISSED = "missed", _("missed")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("hall")
    )
    category = models.ForeignKey(
        QueueCategory,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("business category"),
    )
    slot = models.ForeignKey(
        AppointmentSlot,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("time slot"),
    )
    day = models.DateField(_("day"))
    starts_at = models.DateTimeField(_("slot starts at"))
    ends_at = models.DateTimeField(_("slot ends at"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    id_last4 = models.CharField(_("last four characters of the ID number"), max_length=4)
    code = models.CharField(_("confirmation code"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    booked_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    visit = models.OneToOneField(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("ticket"),
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["slot", "day"], name="appointment_slot_day"),
            models.Index(fields=["hall", "phone"], name="appointment_hall_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.slot} {self.category.name}"
