"""The surge warning's records: a hall's settings and the alerts raised (once per level)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from windows.models import Hall
from windows.scoping import HallScopedQuerySet


class SurgeSettings(models.Model):
    """A hall's surge warning, set by its managers; a hall without a row has the defaults
    (on, capacity = windows open × the items per window-day learnt from its history)."""

    hall = models.OneToOneField(
        Hall, on_delete=models.CASCADE, related_name="surge_settings", verbose_name=_("hall")
    )
    is_active = models.BooleanField(
        _("surge warning on"), default=True, help_text=_("Every 15 minutes in opening hours.")
    )
    threshold = models.PositiveIntegerField(
        _("capacity threshold (items a day)"),
        null=True,
        blank=True,
        help_text=_(
            "Items the hall can handle today; empty: the windows open today × the items "
            "per window-day."
        ),
    )
    items_per_window_day = models.PositiveSmallIntegerField(
        _("items per window-day"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: learnt from the hall's last 8 weeks (the 90th percentile of its window-days)."
        ),
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("surge warning settings")
        verbose_name_plural = _("surge warning settings")

    def __str__(self) -> str:
        return str(self.hall)


class SurgeAlert(models.Model):
    """Today's projection passed a level of the hall's capacity: one row per hall, day and
    level (the unique constraint makes a retried or parallel check raise it once), emailed
    to the duty leaders like a case's alert (claimed before the SMTP call) and shown to
    them until acknowledged."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="surge_alerts", verbose_name=_("hall")
    )
    day = models.DateField(_("day"))
    level = models.PositiveSmallIntegerField(_("level (percent of capacity)"))
    at = models.DateTimeField(_("raised at"))
    arrived = models.PositiveIntegerField(_("items arrived"))
    projected = models.PositiveIntegerField(_("projected items"))
    low = models.PositiveIntegerField(_("projection, lower bound"))
    high = models.PositiveIntegerField(_("projection, upper bound"))
    capacity = models.PositiveIntegerField(_("capacity"))
    suggestion = models.JSONField(_("suggestion"), default=dict, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("surge alert")
        verbose_name_plural = _("surge alerts")
        ordering = ["-day", "level"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "level"], name="surge_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.day:%Y-%m-%d} {self.level}%"
