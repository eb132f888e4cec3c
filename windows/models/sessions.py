"""A staff member signed in to a window for the day (挂牌上岗 at the staff console)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .staff import Staff
from .windows import Window


class WindowSessionQuerySet(HallScopedQuerySet):
    hall_field = "window__hall"

    def open(self) -> "WindowSessionQuerySet":
        return self.filter(ended_at__isnull=True)


class WindowSession(models.Model):
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("window")
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("staff member")
    )
    started_at = models.DateTimeField(_("signed in at"))
    ended_at = models.DateTimeField(_("signed out at"), null=True, blank=True)

    objects = WindowSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("window sign-in")
        verbose_name_plural = _("window sign-ins")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(ended_at__isnull=True),
                name="one_open_session_per_window",
            ),
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(ended_at__isnull=True),
                name="one_open_session_per_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.window}"
