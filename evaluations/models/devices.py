"""Rating tablets (评价器) paired with a window; they authenticate with a device token."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from windows.models import Window
from windows.scoping import HallScopedQuerySet


class TabletDeviceQuerySet(HallScopedQuerySet):
    hall_field = "window__hall"

    def usable(self) -> "TabletDeviceQuerySet":
        return self.filter(revoked_at__isnull=True, token_hash__isnull=False)


class TabletDevice(models.Model):
    """A tablet facing the citizen at one window.

    A manager creates it and gets a one-time pairing code (valid for a short while); the
    tablet exchanges the code for a device token. Only hashes of the code and the token
    are stored. Revoking it makes the token worthless at once.
    """

    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, related_name="tablets", verbose_name=_("window")
    )
    label = models.CharField(_("label"), max_length=50, blank=True)
    pairing_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    pairing_expires_at = models.DateTimeField(_("pairing code expires at"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    paired_at = models.DateTimeField(_("paired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    questionnaire_every = models.PositiveSmallIntegerField(
        _("invite to the questionnaire after every k-th rating"),
        default=0,
        help_text=_("0: never invite automatically (a guide switches the tablet by hand)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TabletDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating tablet")
        verbose_name_plural = _("rating tablets")
        ordering = ["window__hall", "window__number", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(revoked_at__isnull=True, token_hash__isnull=False),
                name="one_paired_tablet_per_window",
            ),
        ]

    def __str__(self) -> str:
        return self.label or str(self.window)

    @property
    def is_paired(self) -> bool:
        return self.token_hash is not None and self.revoked_at is None
