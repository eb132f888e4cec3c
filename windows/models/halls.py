"""The hall itself and how it is organised: departments, zones, who may manage it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from windows.scoping import HallScopedQuerySet

hall_code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,20}$",
    _("Use 1-20 letters, digits, '-' or '_'."),
)


def validate_same_hall(instance: models.Model, messages: dict[str, str]) -> None:
    """Raise a ValidationError for each related field whose row lives in another hall."""
    errors = {}
    for field, message in messages.items():
        if instance.hall_id and getattr(instance, f"{field}_id"):
            if getattr(instance, field).hall_id != instance.hall_id:
                errors[field] = message
    if errors:
        raise ValidationError(errors)


class HallQuerySet(HallScopedQuerySet):
    hall_field = "pk"


class Hall(models.Model):
    code = models.CharField(
        _("hall code"), max_length=20, unique=True, validators=[hall_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    district = models.CharField(_("district"), max_length=50, blank=True)
    region = models.ForeignKey(
        "windows.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="halls",
        verbose_name=_("region"),
        help_text=_("The district or city whose regional users see this hall, read-only."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    supervision_phone = models.CharField(_("supervision hotline"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    time_zone = TimeZoneField(
        _("time zone"),
        default="Asia/Shanghai",
        help_text=_("The hall's days, weeks and months begin at midnight in this time zone."),
    )
    rating_timeout_seconds = models.PositiveSmallIntegerField(
        _("rating timeout (seconds)"),
        default=60,
        help_text=_(
            "How long the window tablet waits for a rating after a visit finishes; "
            "a visit not rated by then stays unrated."
        ),
    )
    weekly_questionnaire_quota = models.PositiveSmallIntegerField(
        _("weekly questionnaire quota"), default=50
    )
    followup_due_working_days = models.PositiveSmallIntegerField(
        _("follow-up of a bad review due in (working days)"), default=1
    )
    # The hall's own queue (windows.services.queue) and its appointments.
    queue_recall_limit = models.PositiveSmallIntegerField(
        _("recalls before a no-show"),
        default=2,
        help_text=_("A called ticket can be marked as a no-show (过号) after this many recalls."),
    )
    display_shows_ratings = models.BooleanField(
        _("big screen shows each window's ratings"),
        default=True,
        help_text=_("Today's evaluation and satisfaction rate per window (好差评 disclosure)."),
    )
    booking_miss_limit = models.PositiveSmallIntegerField(
        _("missed appointments before a booking block"), default=3
    )
    booking_miss_days = models.PositiveSmallIntegerField(
        _("missed appointments counted over (days)"), default=30
    )
    booking_block_days = models.PositiveSmallIntegerField(
        _("booking blocked for (days)"), default=30
    )
    queue_version = models.PositiveBigIntegerField(
        _("queue state version"),
        default=0,
        editable=False,
        help_text=_("Raised whenever the hall's queue changes; the big screen polls it."),
    )

    objects = HallQuerySet.as_manager()

    class Meta:
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class HallAccess(models.Model):
    """Grants a manager or supervisor the right to see (and, by role, manage) a hall."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hall_accesses",
        verbose_name=_("user"),
    )
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("hall")
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hall access")
        verbose_name_plural = _("hall accesses")
        constraints = [
            models.UniqueConstraint(fields=["user", "hall"], name="unique_hall_access"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.hall.code}"


class Department(models.Model):
    """A department stationed in the hall (进驻部门), e.g. 社保管理中心."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="departments", verbose_name=_("hall")
    )
    name = models.CharField(_("name"), max_length=100)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stationed department")
        verbose_name_plural = _("stationed departments")
        ordering = ["hall", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="unique_department_per_hall"),
        ]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """A service zone (片区). The three general zones are of kind general."""

    GENERAL_ZONE_NAMES = ("社保通办", "医保通办", "企保待遇通办")

    class Kind(models.TextChoices):
        GENERAL = "general", _("general service zone")
        SPECIALIST = "specialist", _("specialist service area")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="zones", verbose_name=_("hall")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["hall", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="unique_zone_per_hall"),
        ]

    def __str__(self) -> str:
        return self.name
