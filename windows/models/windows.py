"""Numbered service windows and the items each one handles."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .catalog import ServiceItem
from .halls import Department, Hall, Zone, validate_same_hall


class WindowQuerySet(HallScopedQuerySet):
    def active(self) -> "WindowQuerySet":
        return self.filter(is_active=True)

    def general(self) -> "WindowQuerySet":
        """Windows in the general (通办) zones, whose share of the volume the hall reports."""
        return self.filter(zone__kind=Zone.Kind.GENERAL)


class Window(models.Model):
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="windows", verbose_name=_("hall")
    )
    number = models.PositiveSmallIntegerField(_("window number"))
    name = models.CharField(_("window name"), max_length=100, blank=True)
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name=_("zone"),
        help_text=_("Leave empty for a specialist window."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name=_("stationed department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    live_version = models.PositiveBigIntegerField(
        _("live state version"),
        default=0,
        editable=False,
        help_text=_(
            "Raised whenever what the window's screens show changes (sign-in, a visit "
            "started or ended, a rating); screens that polled the same version get 304."
        ),
    )
    service_items = models.ManyToManyField(
        ServiceItem,
        through="WindowServiceItem",
        related_name="windows",
        blank=True,
        verbose_name=_("service items"),
    )

    objects = WindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "number"], name="unique_window_number_per_hall"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="window_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name or _("Window %(number)s") % {"number": self.number}

    @property
    def is_specialist(self) -> bool:
        return self.zone_id is None or self.zone.kind == Zone.Kind.SPECIALIST

    def clean(self) -> None:
        validate_same_hall(
            self,
            {
                "zone": _("The zone belongs to another hall."),
                "department": _("The department belongs to another hall."),
            },
        )


class WindowServiceItemQuerySet(HallScopedQuerySet):
    hall_field = "window__hall"


class WindowServiceItem(models.Model):
    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, related_name="window_items", verbose_name=_("window")
    )
    service_item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        related_name="window_items",
        verbose_name=_("service item"),
    )

    objects = WindowServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item of a window")
        verbose_name_plural = _("service items of a window")
        ordering = ["service_item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "service_item"], name="unique_service_item_per_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.service_item.code}"
