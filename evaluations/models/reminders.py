"""What has been sent already, so that a job run twice never sends anything twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaints import Complaint


class ReminderSent(models.Model):
    """The daily reminder of one person for one day (cases and measures due or overdue)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"


class DutyAlert(models.Model):
    """An alert to the hall's duty leader about a new case (a bad review or a 12345 order)."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="duty_alert", verbose_name=_("case")
    )
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("duty-leader alert")
        verbose_name_plural = _("duty-leader alerts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.complaint} → {', '.join(self.recipients)}"
