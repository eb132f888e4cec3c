"""Rectification checklists (整改清单) and inspections (明察暗访) that feed them."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from complaints.models import Complaint
from windows.models import Department, Hall, Window
from windows.scoping import HallScopedQuerySet


class RectificationChecklist(models.Model):
    class Source(models.TextChoices):
        THIRD_PARTY = "third_party", _("third-party evaluation")
        INSPECTION = "inspection", _("unannounced inspection")
        QUESTIONNAIRE = "questionnaire", _("questionnaire survey")
        COMPLAINT = "complaint", _("complaint")
        BAD_REVIEW = "bad_review", _("bad review")

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="checklists", verbose_name=_("hall")
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        db_table = "evaluations_rectificationchecklist"  # kept from before the app split
        verbose_name = _("rectification checklist")
        verbose_name_plural = _("rectification checklists")
        ordering = ["hall", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="checklist_period_in_order",
                violation_error_message=_("The period ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeasureQuerySet(HallScopedQuerySet):
    hall_field = "checklist__hall"

    def unfinished(self) -> "MeasureQuerySet":
        return self.filter(status__in=[Measure.Status.NOT_STARTED, Measure.Status.IN_PROGRESS])


class Measure(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("measure status", "in progress")
        DONE = "done", _("done")
        VERIFIED = "verified", pgettext_lazy("measure status", "verified")

    checklist = models.ForeignKey(
        RectificationChecklist,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("checklist"),
    )
    order = models.PositiveSmallIntegerField(_("no."), default=0)
    title = models.CharField(_("measure"), max_length=200)
    responsible_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("responsible department"),
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("responsible person"),
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress_pct = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MaxValueValidator(100)]
    )
    evidence_notes = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="measures/%Y/%m/", blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("from case"),
    )
    questionnaire_week = models.DateField(_("from questionnaire week"), null=True, blank=True)

    history = HistoricalRecords(table_name="evaluations_historicalmeasure")  # pre-split table
    objects = MeasureQuerySet.as_manager()

    class Meta:
        db_table = "evaluations_measure"  # kept from before the app split
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")
        ordering = ["checklist", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_pct__lte=100), name="measure_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """A supervision group's unannounced visit (明察暗访), with its best and worst windows."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("hall")
    )
    group_name = models.CharField(_("supervision group"), max_length=100)
    visited_on = models.DateField(_("visited on"))
    findings = models.TextField(_("findings"), blank=True)
    best_windows = models.ManyToManyField(
        Window, blank=True, related_name="inspection_honours", verbose_name=_("best windows")
    )
    worst_windows = models.ManyToManyField(
        Window, blank=True, related_name="inspection_warnings", verbose_name=_("worst windows")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        db_table = "evaluations_inspection"  # kept from before the app split
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["hall", "-visited_on"]

    def __str__(self) -> str:
        return f"{self.group_name} · {self.visited_on}"
