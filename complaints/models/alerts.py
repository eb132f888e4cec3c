"""The duty leader's alert about a new case, sent once however often its job runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaints import Complaint


class DutyAlert(models.Model):
    """An alert to the hall's duty leader about a new case (a bad review or a 12345 order)."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="duty_alert", verbose_name=_("case")
    )
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Claimed, in its own committed transaction, before the SMTP call (cleared if it fails):
    # a retry finds a fresh claim and waits; a stale one is sent again with the same
    # Message-ID, so the receiving side can drop the copy.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "evaluations_dutyalert"  # kept from before the app split
        verbose_name = _("duty-leader alert")
        verbose_name_plural = _("duty-leader alerts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.complaint} → {', '.join(self.recipients)}"
