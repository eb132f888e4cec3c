"""Visits: one queue ticket served at one window (接待人次), with the items handled (办件量)."""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .catalog import ServiceItem
from .halls import Hall
from .staff import Staff
from .windows import Window


class VisitQuerySet(HallScopedQuerySet):
    def completed(self) -> "VisitQuerySet":
        return self.filter(status=Visit.Status.COMPLETED)

    def in_service(self) -> "VisitQuerySet":
        return self.filter(status=Visit.Status.IN_SERVICE)

    def counted(self) -> "VisitQuerySet":
        """The visits figures count: those that ended at a window (Visit.COUNTED_STATUSES)."""
        return self.filter(status__in=Visit.COUNTED_STATUSES)


class Visit(models.Model):
    class Status(models.TextChoices):
        # Being served now: started at the console, not yet ended. Never in any figure.
        IN_SERVICE = "in_service", _("in service")
        COMPLETED = "completed", _("completed")
        TRANSFERRED = "transferred", _("transferred")
        NO_SHOW = "no_show", _("no-show")
        # Left in service at the end of the day and closed by the nightly job: it did not
        # end at the window, so it counts as neither served nor rated.
        ABANDONED = "abandoned", _("abandoned (not ended at the window)")

    # What figures count: tickets that ended at a window. A visit in service is not over
    # yet and an abandoned one never ended there, so neither is in any figure.
    COUNTED_STATUSES = (Status.COMPLETED, Status.TRANSFERRED, Status.NO_SHOW)

    # No single-column indexes on the foreign keys: the indexes in Meta lead with them
    # (one index less to maintain per visit written; an import writes 300,000).
    hall = models.ForeignKey(
        Hall,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("hall"),
        db_index=False,
    )
    ticket_no = models.CharField(_("ticket number"), max_length=20)
    issued_at = models.DateTimeField(_("ticket issued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    service_date = models.DateField(
        _("service date"), help_text=_("The hall's local day of the start of service.")
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("window"),
        db_index=False,
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("staff member"),
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    item_count = models.PositiveSmallIntegerField(
        _("items handled"), help_text=_("The number of service items of the visit.")
    )
    service_items = models.ManyToManyField(
        ServiceItem, through="VisitItem", related_name="visits", verbose_name=_("service items")
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "ticket_no", "started_at"], name="one_visit_per_ticket_start"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="visit_finishes_after_it_starts",
                violation_error_message=_("A visit cannot finish before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(finished_at__isnull=False),
                name="completed_visit_has_finish_time",
                violation_error_message=_("A completed visit needs its finish time."),
            ),
            models.CheckConstraint(condition=Q(item_count__gte=1), name="visit_has_an_item"),
            models.CheckConstraint(
                condition=~Q(status="in_service") | Q(finished_at__isnull=True),
                name="visit_in_service_not_finished",
                violation_error_message=_("A visit in service has no finish time yet."),
            ),
            # The console serves one ticket at a time per window.
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status="in_service"),
                name="one_visit_in_service_per_window",
                violation_error_message=_("Another ticket is being served at this window."),
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "service_date"], name="visit_hall_day"),
            models.Index(fields=["window", "service_date"], name="visit_window_day"),
            models.Index(fields=["staff", "service_date"], name="visit_staff_day"),
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.ticket_no} · {self.window}"

    @property
    def waiting_time(self) -> timedelta:
        """From taking the ticket to the start of service."""
        return self.started_at - self.issued_at

    @property
    def service_time(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class VisitItem(models.Model):
    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        related_name="visit_items",
        verbose_name=_("visit"),
        db_index=False,  # unique_item_per_visit leads with it
    )
    service_item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        related_name="visit_items",
        verbose_name=_("service item"),
        # No index: figures reach the items through their visits (unique_item_per_visit);
        # only deleting a service item would look for its rows, and that is refused.
        db_index=False,
    )

    class Meta:
        verbose_name = _("item of a visit")
        verbose_name_plural = _("items of a visit")
        constraints = [
            models.UniqueConstraint(fields=["visit", "service_item"], name="unique_item_per_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.visit.ticket_no} · {self.service_item.code}"
