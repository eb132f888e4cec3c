"""The hall's own calendar on top of the state working calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .halls import Hall


class HallCalendarDay(models.Model):
    class Kind(models.TextChoices):
        CLOSURE = "closure", _("closed (no business)")
        EXTRA_OPENING = "extra_opening", _("extra opening day")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="calendar_days", verbose_name=_("hall")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hall calendar day")
        verbose_name_plural = _("hall calendar")
        ordering = ["hall", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "date"], name="one_calendar_entry_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
