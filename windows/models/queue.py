"""The hall's own queue (一键取号): business categories, their daily ticket counters, and
the hall's paired screens (the ticket kiosk at the entrance, the big screen in the hall).

A ticket is a Visit in the waiting state from the moment the kiosk issues it
(windows.services.queue); these models only say which tickets exist and who serves them.
"""

from datetime import time

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .halls import Hall, Zone
from .windows import Window

prefix_validator = RegexValidator(r"^[A-Z]{1,2}$", _("Use one or two capital letters, e.g. A."))


class QueueCategoryQuerySet(HallScopedQuerySet):
    def active(self) -> "QueueCategoryQuerySet":
        return self.filter(is_active=True)

    def served_by(self, window: Window) -> "QueueCategoryQuerySet":
        """The categories whose tickets the window calls: listed by zone or by window."""
        return self.filter(
            Q(windows=window) | Q(zones__windows=window), hall_id=window.hall_id
        ).distinct()


class QueueCategory(models.Model):
    """A business category (业务类别) citizens pick at the kiosk, e.g. 社保通办 (A)."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="queue_categories", verbose_name=_("hall")
    )
    name = models.CharField(_("name"), max_length=50)
    prefix = models.CharField(
        _("ticket prefix"),
        max_length=2,
        validators=[prefix_validator],
        help_text=_("Tickets of the category are the prefix and the day's number, e.g. A012."),
    )
    zones = models.ManyToManyField(
        Zone,
        blank=True,
        related_name="queue_categories",
        verbose_name=_("zones serving it"),
        help_text=_("Every window of these zones calls the category's tickets."),
    )
    windows = models.ManyToManyField(
        Window,
        blank=True,
        related_name="queue_categories",
        verbose_name=_("windows serving it"),
        help_text=_("Windows outside those zones that also call its tickets."),
    )
    daily_capacity = models.PositiveIntegerField(
        _("tickets a day"), default=0, help_text=_("0: no limit.")
    )
    opens_at = models.TimeField(_("tickets from"), default=time(8, 30))
    closes_at = models.TimeField(_("tickets until"), default=time(17, 0))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = QueueCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("business category")
        verbose_name_plural = _("business categories")
        ordering = ["hall", "sort_order", "prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "prefix"], name="unique_ticket_prefix_per_hall"
            ),
            models.UniqueConstraint(fields=["hall", "name"], name="unique_category_name_per_hall"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="category_closes_after_it_opens",
                violation_error_message=_("Tickets must stop after they start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class TicketCounter(models.Model):
    """The last ticket number a category issued on a day (A001, A002...)."""

    category = models.ForeignKey(
        QueueCategory, on_delete=models.CASCADE, related_name="counters", db_index=False
    )
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "day"], name="one_counter_per_category_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category_id}: {self.last}"


class HallDeviceQuerySet(HallScopedQuerySet):
    def usable(self) -> "HallDeviceQuerySet":
        return self.filter(revoked_at__isnull=True, token_hash__isnull=False)


class HallDevice(models.Model):
    """A screen of the hall as a whole, paired like a rating tablet (a one-time code for a
    device token; only hashes stored): the ticket kiosk or the big screen."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("ticket kiosk")
        DISPLAY = "display", _("hall display screen")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="devices", verbose_name=_("hall")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=50, blank=True)
    pairing_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    pairing_expires_at = models.DateTimeField(_("pairing code expires at"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    paired_at = models.DateTimeField(_("paired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = HallDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("hall screen")
        verbose_name_plural = _("hall screens")
        ordering = ["hall", "kind", "-created_at"]

    def __str__(self) -> str:
        return self.label or f"{self.get_kind_display()} · {self.hall.code}"

    @property
    def is_paired(self) -> bool:
        return self.token_hash is not None and self.revoked_at is None


class QueueCall(models.Model):
    """One call of a ticket to a window (叫号 or 重呼), as the big screen announces it."""

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        RECALL = "recall", _("recall")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="queue_calls")
    visit = models.ForeignKey(
        "windows.Visit", on_delete=models.CASCADE, related_name="calls", db_index=False
    )
    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="queue_calls")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.CALL)
    called_at = models.DateTimeField()

    class Meta:
        verbose_name = _("call of a ticket")
        verbose_name_plural = _("calls of tickets")
        indexes = [models.Index(fields=["hall", "called_at"], name="queue_call_hall_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_id} → {self.window_id}"
