"""Visits: one queue ticket served at one window (接待人次), with the items handled (办件量)."""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from windows.scoping import HallScopedQuerySet

from .catalog import ServiceItem
from .halls import Hall
from .queue import QueueCategory
from .staff import Staff
from .windows import Window


class VisitQuerySet(HallScopedQuerySet):
    def completed(self) -> "VisitQuerySet":
        return self.filter(status=Visit.Status.COMPLETED)

    def in_service(self) -> "VisitQuerySet":
        return self.filter(status=Visit.Status.IN_SERVICE)

    def waiting(self) -> "VisitQuerySet":
        """Tickets issued by the hall's kiosk and not yet called."""
        return self.filter(status=Visit.Status.WAITING)

    def at_window(self) -> "VisitQuerySet":
        """The ticket a window holds: called (the citizen is on the way) or in service."""
        return self.filter(status__in=Visit.AT_WINDOW_STATUSES)

    def counted(self) -> "VisitQuerySet":
        """The visits figures count: those that ended at a window (Visit.COUNTED_STATUSES)."""
        return self.filter(status__in=Visit.COUNTED_STATUSES)


class Visit(models.Model):
    class Status(models.TextChoices):
        # Issued by the hall's kiosk, not yet called to a window. Never in any figure.
        WAITING = "waiting", _("waiting")
        # Called to a window, the citizen not yet there. Never in any figure.
        CALLED = "called", _("called")
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
    # A window holds one ticket at a time: called or being served.
    AT_WINDOW_STATUSES = (Status.CALLED, Status.IN_SERVICE)

    class Lane(models.TextChoices):
        """Which tickets a window calls first (windows.services.queue.call order)."""

        NORMAL = "normal", _("first come, first served")
        APPOINTMENT = "appointment", _("appointment")
        PRIORITY = "priority", _("priority (green channel)")
        TRANSFER = "transfer", _("transferred from another window")

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
    # Empty while the ticket waits or is called: service has not started.
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    service_date = models.DateField(
        _("service date"), help_text=_("The hall's local day of the start of service.")
    )
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
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
    # The portal's own queue; empty for visits from an outside queue system (the import,
    # tickets typed at the console).
    category = models.ForeignKey(
        QueueCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("business category"),
        db_index=False,
    )
    lane = models.CharField(
        _("queue lane"),
        max_length=12,
        choices=Lane.choices,
        default=Lane.NORMAL,
        db_default=Lane.NORMAL,  # the import writes visits with COPY / raw inserts
    )
    due_at = models.DateTimeField(
        _("appointment due at"),
        null=True,
        blank=True,
        help_text=_("An appointment's ticket is called first from this time on."),
    )
    recalls = models.PositiveSmallIntegerField(_("times recalled"), default=0, db_default=0)
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
            models.CheckConstraint(
                condition=Q(status__in=("waiting", "called", "abandoned"))
                | Q(started_at__isnull=False),
                name="visit_started_unless_queued",
            ),
            models.CheckConstraint(
                condition=Q(status__in=("waiting", "abandoned")) | Q(window__isnull=False),
                name="visit_has_window_unless_waiting",
            ),
            # A window holds one ticket at a time: called or being served.
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=("called", "in_service")),
                name="one_visit_in_service_per_window",
                violation_error_message=_("Another ticket is being served at this window."),
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "service_date"], name="visit_hall_day"),
            models.Index(fields=["window", "service_date"], name="visit_window_day"),
            models.Index(fields=["staff", "service_date"], name="visit_staff_day"),
            # The queue: the waiting tickets of a category, in their order of issue.
            models.Index(
                fields=["category", "issued_at"],
                condition=Q(status="waiting"),
                name="visit_waiting_queue",
            ),
        ]

    def __str__(self) -> str:
        # A waiting ticket has no window yet: its business category tells where it waits.
        return f"{self.service_date} {self.ticket_no} · {self.window or self.category or ''}"

    @property
    def waiting_time(self) -> timedelta | None:
        """From taking the ticket to being called (to the start of service if the call
        time is unknown), as evaluations.rollups.WAIT counts it."""
        end = self.called_at or self.started_at
        return end - self.issued_at if end else None

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
