"""Satisfaction questionnaires (满意度测评问卷): at least N random questionnaires a week."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from windows.models import Hall
from windows.scoping import HallScopedQuerySet

from .devices import TabletDevice


class QuestionnaireQuerySet(HallScopedQuerySet):
    def active(self) -> "QuestionnaireQuerySet":
        return self.filter(is_active=True)


class Questionnaire(models.Model):
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="questionnaires", verbose_name=_("hall")
    )
    title = models.CharField(_("title"), max_length=100)
    introduction = models.TextField(_("introduction"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["hall", "-is_active", "-created_at"]

    def __str__(self) -> str:
        return self.title


class QuestionQuerySet(HallScopedQuerySet):
    hall_field = "questionnaire__hall"


class Question(models.Model):
    class Kind(models.TextChoices):
        FIVE_LEVEL = "five_level", _("five-level satisfaction")
        YES_NO = "yes_no", _("yes / no")
        SINGLE_CHOICE = "single_choice", _("single choice")
        FREE_TEXT = "free_text", _("free text")

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("Only for single choice.")
    )
    required = models.BooleanField(_("required"), default=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class ResponseQuerySet(HallScopedQuerySet):
    def in_week(self, week_start) -> "ResponseQuerySet":
        return self.filter(week_start=week_start)


class QuestionnaireResponse(models.Model):
    hall = models.ForeignKey(
        Hall,
        on_delete=models.CASCADE,
        related_name="questionnaire_responses",
        verbose_name=_("hall"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("questionnaire"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    week_start = models.DateField(_("week (Monday)"))
    device = models.ForeignKey(
        TabletDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
        verbose_name=_("rating tablet"),
    )
    client_id = models.UUIDField(_("client submission id"), null=True, blank=True, unique=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["hall", "week_start"], name="response_hall_week")]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    response = models.ForeignKey(
        QuestionnaireResponse,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("response"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    yes = models.BooleanField(_("yes"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=100, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5),
                name="answer_level_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.level or self.yes or self.choice or self.text}"
