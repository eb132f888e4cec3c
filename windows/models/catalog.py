"""The published catalogue of service items (经办事项), shared by every hall."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ServiceItemQuerySet(models.QuerySet):
    def published(self) -> "ServiceItemQuerySet":
        return self.filter(is_published=True)


class ServiceItem(models.Model):
    class Handling(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("handled on the spot")
        TIME_LIMITED = "time_limited", _("time-limited")

    code = models.CharField(_("service code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=50, blank=True)
    handling = models.CharField(
        _("handling"), max_length=20, choices=Handling.choices, default=Handling.ON_THE_SPOT
    )
    promised_working_days = models.PositiveSmallIntegerField(
        _("promised working days"),
        null=True,
        blank=True,
        help_text=_("Only for time-limited items: the working days promised to finish."),
    )
    required_materials = models.TextField(
        _("required materials"),
        blank=True,
        help_text=_("One material per line; shown to citizens as the one-time notification."),
    )
    is_published = models.BooleanField(_("published"), default=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(handling="on_the_spot", promised_working_days__isnull=True)
                    | Q(
                        handling="time_limited",
                        promised_working_days__isnull=False,
                        promised_working_days__gte=1,
                    )
                ),
                name="service_item_promise_matches_handling",
                violation_error_message=_(
                    "A time-limited item needs its promised working days (1 or more); "
                    "an on-the-spot item has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.required_materials.splitlines() if line.strip()]
