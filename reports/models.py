"""Bulletins (日报 / 周报 / 月报): one per hall, kind and period; recipients and deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from windows.models import Hall
from windows.scoping import HallScopedQuerySet


class BulletinKind(models.TextChoices):
    DAILY = "daily", _("daily bulletin")
    WEEKLY = "weekly", _("weekly bulletin")
    MONTHLY = "monthly", _("monthly bulletin")


def workbook_path(bulletin: Bulletin, filename: str) -> str:
    return f"bulletins/{bulletin.hall.code}/{bulletin.kind}/{filename}"


class Bulletin(models.Model):
    """The figures of one hall for one period; a rebuild overwrites the row, never adds one."""

    Kind = BulletinKind

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("hall")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BulletinKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    built_at = models.DateTimeField(_("built at"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    workbook = models.FileField(_("workbook"), upload_to=workbook_path, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-period_start", "kind", "hall"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "kind", "period_start"], name="bulletin_one_per_hall_kind_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="bulletin_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    @property
    def workbook_filename(self) -> str:
        return f"bulletin-{self.hall.code}-{self.kind}-{self.period_start:%Y%m%d}.xlsx"


class BulletinRecipient(models.Model):
    """Who receives a hall's bulletins of one kind by email (set by the hall's managers)."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="bulletin_recipients", verbose_name=_("hall")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BulletinKind.choices)
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin recipient")
        verbose_name_plural = _("bulletin recipients")
        ordering = ["hall", "kind", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "kind", "email"], name="bulletin_recipient_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class DeliveryQuerySet(HallScopedQuerySet):
    hall_field = "bulletin__hall"


class EmailDelivery(models.Model):
    """What every emailed delivery of a workbook records (a hall's bulletin, a region's):
    sent once, unless a manager resends it.

    Before the SMTP call the row is claimed (sending, attempt_id, claimed_at, message_id)
    in its own committed transaction; it is marked sent once the server has accepted the
    email. A claim older than BULLETIN_DELIVERY_STALE_AFTER is stale: its attempt died
    (reports.services.deliver_to_recipients).
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "pending")
        SENDING = "sending", pgettext_lazy("delivery status", "sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    email = models.EmailField(_("email address"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempt_id = models.UUIDField(_("attempt"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.bulletin} → {self.email}"


class BulletinDelivery(EmailDelivery):
    """One hall bulletin emailed to one address."""

    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("bulletin")
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin delivery")
        verbose_name_plural = _("bulletin deliveries")
        ordering = ["bulletin", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "email"], name="bulletin_delivery_unique_email"
            ),
        ]


class ReminderSent(models.Model):
    """The daily reminder of one person for one day (cases and measures due or overdue).

    Created as a claim (sending, claimed_at, message_id) committed before the SMTP call and
    marked sent after it (reports/reminders.py). The default status, sent, is what every
    row from before the claim recorded.
    """

    class Status(models.TextChoices):
        SENDING = "sending", pgettext_lazy("delivery status", "sending")
        SENT = "sent", _("sent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        db_table = "evaluations_remindersent"  # kept from before the app split
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"


from reports.regional import models as regional_models  # noqa: E402, F401
from reports.surge.models import SurgeAlert, SurgeSettings  # noqa: E402, F401
