"""Complaints and bad-review follow-ups (投诉监督), handled on the working-day clock.

A case comes from a channel (on site, the supervision hotline, a 12345 work order, online,
or a bad review 差评) and goes through every step: received → verified (预审) → assigned →
in progress → replied → callback done (回访) → closed with a verdict. No step is skipped;
the services in complaints/services/complaints.py own the rules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from evaluations.models import Rating
from windows.models import Hall, ServiceItem, Staff, Window
from windows.scoping import HallScopedQuerySet


class Channel(models.TextChoices):
    ON_SITE = "on_site", _("on site")
    HOTLINE = "hotline", _("supervision hotline")
    WORK_ORDER_12345 = "work_order_12345", _("12345 work order")
    ONLINE = "online", _("online")
    BAD_REVIEW = "bad_review", _("bad review")


class ComplaintQuerySet(HallScopedQuerySet):
    def open(self) -> "ComplaintQuerySet":
        return self.exclude(status=Complaint.Status.CLOSED)


class Complaint(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        VERIFIED = "verified", pgettext_lazy("case status", "verified")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", pgettext_lazy("case status", "in progress")
        REPLIED = "replied", _("replied")
        CALLBACK_DONE = "callback_done", _("callback done")
        CLOSED = "closed", _("closed")

    class Category(models.TextChoices):
        ATTITUDE = "attitude", _("service attitude")
        EFFICIENCY = "efficiency", _("efficiency and waiting")
        NOTIFICATION = "notification", _("one-time notification")
        DISCIPLINE = "discipline", _("work discipline")
        POLICY = "policy", _("policy and procedure")
        ENVIRONMENT = "environment", _("facilities and environment")
        OTHER = "other", _("other")

    class CallbackResult(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        NOT_SATISFIED = "not_satisfied", _("not satisfied")
        UNREACHABLE = "unreachable", _("could not be reached")

    class Verdict(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("substantiated")
        UNSUBSTANTIATED = "unsubstantiated", _("unsubstantiated")

    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("hall")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.BAD_REVIEW
    )
    work_order_no = models.CharField(_("work-order number"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"))
    rating = models.OneToOneField(
        Rating,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint",
        verbose_name=_("rating"),
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Rating.Level.choices, null=True, blank=True
    )
    reasons = models.JSONField(_("bad-review reasons"), default=list, blank=True)
    complainant_name = models.CharField(_("complainant"), max_length=50, blank=True)
    callback_phone = models.CharField(_("complainant phone"), max_length=20, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("window"),
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("staff member"),
    )
    service_item = models.ForeignKey(
        ServiceItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("service item"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    comment = models.TextField(_("description"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="complaints/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    due_date = models.DateField(_("current step due"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_complaints",
        verbose_name=_("handler"),
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    reply = models.TextField(_("reply to the complainant"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    callback_result = models.CharField(
        _("callback result"), max_length=20, choices=CallbackResult.choices, blank=True
    )
    callback_note = models.TextField(_("callback note"), blank=True)
    callback_at = models.DateTimeField(_("callback at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalated = models.BooleanField(_("escalated"), default=False)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(
        _("personal data erased at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(
        excluded_fields=["callback_phone", "complainant_name"],
        table_name="evaluations_historicalcomplaint",  # the table from before the app split
    )
    objects = ComplaintQuerySet.as_manager()

    class Meta:
        db_table = "evaluations_complaint"  # kept from before the app split
        verbose_name = _("complaint case")
        verbose_name_plural = _("complaint cases")
        ordering = ["due_date", "-created_at"]
        indexes = [models.Index(fields=["hall", "status", "due_date"], name="complaint_hall_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(verdict="") & ~Q(callback_result="")),
                name="closed_case_has_verdict_and_callback",
                violation_error_message=_("Closing a case needs its callback result and verdict."),
            ),
            models.CheckConstraint(
                condition=~Q(channel="work_order_12345") | ~Q(work_order_no=""),
                name="work_order_has_its_number",
                violation_error_message=_("A 12345 work order needs its work-order number."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} · {self.received_at:%Y-%m-%d}"


class DeadlineRule(models.Model):
    """How many working days a step may take, per hall and channel (managers set them)."""

    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="deadline_rules", verbose_name=_("hall")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    step = models.CharField(
        _("step"),
        max_length=20,
        choices=[c for c in Complaint.Status.choices if c[0] != "closed"],
        help_text=_("The step the case is in; the deadline runs until it moves on."),
    )
    working_days = models.PositiveSmallIntegerField(_("working days"))

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        db_table = "evaluations_deadlinerule"  # kept from before the app split
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["hall", "channel", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "channel", "step"], name="one_deadline_rule_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_step_display()}: {self.working_days}"


class ExtensionQuerySet(HallScopedQuerySet):
    hall_field = "complaint__hall"


class DeadlineExtension(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("case")
    )
    step = models.CharField(_("step"), max_length=20, choices=Complaint.Status.choices)
    working_days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        db_table = "evaluations_deadlineextension"  # kept from before the app split
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.complaint} +{self.working_days} ({self.get_status_display()})"
