"""Regions above the halls (区 / 市): a city's social-insurance bureau sees its halls side by
side. A region may sit inside a city (parent); a user granted a region (RegionAccess) sees
the halls of that region and of its districts, read-only (windows.scoping, windows.roles)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from windows.models.halls import hall_code_validator


class Region(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("district (区)")
        CITY = "city", _("city (市)")

    code = models.CharField(
        _("region code"), max_length=20, unique=True, validators=[hall_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
        help_text=_("The city a district belongs to; empty for a city."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        """Two levels: a city, and districts that may be part of one (visible_region_ids
        reads a city's districts, no deeper)."""
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("A region cannot be part of itself.")})
        if self.kind == self.Kind.CITY:
            raise ValidationError({"parent": _("A city is part of no other region.")})
        if self.parent.kind != self.Kind.CITY:
            raise ValidationError(
                {"parent": _("A region can be part of a city, not of a district.")}
            )


class RegionAccess(models.Model):
    """Grants a regional user the halls of a region (and of its districts), to read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="region_accesses",
        verbose_name=_("user"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("region access")
        verbose_name_plural = _("region accesses")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="unique_region_access"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.region.code}"
