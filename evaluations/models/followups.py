"""A bad review (差评) always opens a follow-up case; the complaints work takes it over."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from windows.models import Hall
from windows.scoping import HallScopedQuerySet

from .ratings import Rating


class FollowUpCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="followup_cases", verbose_name=_("hall")
    )
    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="followup", verbose_name=_("rating")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Rating.Level.choices)
    reasons = models.JSONField(_("bad-review reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    callback_phone = models.CharField(_("callback phone"), max_length=20, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bad-review follow-up")
        verbose_name_plural = _("bad-review follow-ups")
        ordering = ["due_date", "-created_at"]
        indexes = [models.Index(fields=["hall", "status", "due_date"], name="followup_hall_due")]

    def __str__(self) -> str:
        return f"{self.rating.visit} · {self.get_level_display()}"
