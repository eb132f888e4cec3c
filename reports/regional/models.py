"""The regional monthly bulletin (区域月报): one per region and month, its recipients and its
deliveries. The deliveries have the hall bulletin's fields, so the same claim-and-send code
(reports/services.py) emails both, once per recipient."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import EmailDelivery  # defined before reports.models imports this
from windows.models import Region
from windows.scoping import visible_region_ids


class RegionScopedQuerySet(models.QuerySet):
    """Rows of a region, reachable through `region_field`; `for_user` keeps the regions the
    user may see (windows.scoping.visible_region_ids)."""

    region_field = "region"

    def for_user(self, user) -> RegionScopedQuerySet:
        region_ids = visible_region_ids(user)
        if region_ids is None:
            return self
        return self.filter(**{f"{self.region_field}__in": region_ids})


def regional_workbook_path(bulletin: RegionalBulletin, filename: str) -> str:
    return f"regional-bulletins/{bulletin.region.code}/{filename}"


class RegionalBulletin(models.Model):
    """The region's halls ranked for one month; a rebuild overwrites the row."""

    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="bulletins",
        verbose_name=_("region"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    built_at = models.DateTimeField(_("built at"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    workbook = models.FileField(_("workbook"), upload_to=regional_workbook_path, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional monthly bulletin")
        verbose_name_plural = _("regional monthly bulletins")
        ordering = ["-period_start", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period_start"], name="regional_bulletin_one_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="regional_bulletin_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period_start:%Y-%m}"

    @property
    def workbook_filename(self) -> str:
        return f"regional-bulletin-{self.region.code}-{self.period_start:%Y%m}.xlsx"


class RegionalBulletinRecipient(models.Model):
    """Who receives a region's monthly bulletin by email (set by the system administrator)."""

    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="bulletin_recipients",
        verbose_name=_("region"),
    )
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional bulletin recipient")
        verbose_name_plural = _("regional bulletin recipients")
        ordering = ["region", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "email"], name="regional_bulletin_recipient_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class RegionalDeliveryQuerySet(RegionScopedQuerySet):
    region_field = "bulletin__region"


class RegionalBulletinDelivery(EmailDelivery):
    """One regional bulletin emailed to one address, claimed and marked as a hall bulletin's
    delivery is (reports.models.EmailDelivery)."""

    bulletin = models.ForeignKey(
        RegionalBulletin,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("regional monthly bulletin"),
    )

    objects = RegionalDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional bulletin delivery")
        verbose_name_plural = _("regional bulletin deliveries")
        ordering = ["bulletin", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "email"], name="regional_bulletin_delivery_unique_email"
            ),
        ]
