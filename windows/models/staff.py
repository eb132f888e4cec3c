"""The people who serve: staff profiles (挂牌上岗) and the duty roster (值班安排)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .halls import Department, Hall, validate_same_hall
from .windows import Window


class StaffQuerySet(HallScopedQuerySet):
    def active(self) -> "StaffQuerySet":
        return self.filter(is_active=True)


def staff_photo_path(instance: "Staff", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"staff-photos/{instance.hall.code}/{instance.badge_no}.{extension}"


class Staff(models.Model):
    """A staff member's badge card: who the citizen sees at the window.

    A card needs no login account (historical staff, staff who never use the console, a
    badge an import of visits created); a manager can give it one later. The card's
    `email` is the staff member's one email address (windows.contacts).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_profile",
        verbose_name=_("login account"),
    )
    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="staff", verbose_name=_("hall")
    )
    badge_no = models.CharField(_("badge number"), max_length=20)
    display_name = models.CharField(_("display name"), max_length=50)
    photo = models.ImageField(_("photo"), upload_to=staff_photo_path, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("stationed department"),
    )
    job_title = models.CharField(_("job title"), max_length=50, blank=True)
    email = models.EmailField(
        _("email address"),
        blank=True,
        help_text=_("Where the portal's reminders and alerts reach the staff member."),
    )
    is_active = models.BooleanField(_("on duty in the hall"), default=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["hall", "badge_no"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "badge_no"], name="unique_badge_per_hall"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}（{self.badge_no}）"

    def clean(self) -> None:
        validate_same_hall(self, {"department": _("The department belongs to another hall.")})


class DutyAssignment(models.Model):
    """One line of the duty roster: who does what, where, on which day and shift."""

    class Role(models.TextChoices):
        WINDOW = "window", _("window service")
        DUTY_LEADER = "duty_leader", _("duty leader")
        GUIDE = "guide", _("guide")
        VOLUNTEER = "volunteer", _("volunteer")

    class Shift(models.TextChoices):
        FULL_DAY = "full_day", _("full day")
        MORNING = "morning", _("morning")
        AFTERNOON = "afternoon", _("afternoon")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="duty_assignments", verbose_name=_("hall")
    )
    date = models.DateField(_("date"))
    shift = models.CharField(
        _("shift"), max_length=20, choices=Shift.choices, default=Shift.FULL_DAY
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.CASCADE,
        related_name="duty_assignments",
        verbose_name=_("staff member"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.WINDOW)
    window = models.ForeignKey(
        Window,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_assignments",
        verbose_name=_("window"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty roster entry")
        verbose_name_plural = _("duty roster")
        ordering = ["date", "shift", "window__number", "staff__badge_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "date", "shift"], name="one_duty_per_staff_shift"
            ),
            models.UniqueConstraint(
                fields=["window", "date", "shift"],
                condition=Q(window__isnull=False),
                name="one_staff_per_window_shift",
            ),
            models.CheckConstraint(
                condition=Q(role="window", window__isnull=False) | ~Q(role="window"),
                name="window_duty_names_window",
                violation_error_message=_("Window service duty needs a window."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_shift_display()} {self.staff} {self.get_role_display()}"

    def clean(self) -> None:
        validate_same_hall(
            self,
            {
                "staff": _("The staff member belongs to another hall."),
                "window": _("The window belongs to another hall."),
            },
        )
