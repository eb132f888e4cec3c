"""Admin of questionnaires (ordered questions) and of the responses (read only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from evaluations.models import Answer, Question, Questionnaire, QuestionnaireResponse
from evaluations.services.surveys import default_questionnaire, questionnaire_create_default
from windows.admin.scoping import (
    HallOwnedForm,
    HallScopedAdmin,
    HallScopedRelatedFilter,
    HallScopedTabularInline,
    hall_scoped,
)
from windows.models import Hall


class ChoicesField(forms.CharField):
    """The choices of a single-choice question, one a line, stored as a JSON list."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 24})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(choice) for choice in value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(HallOwnedForm):
    choices = ChoicesField(
        label=_("choices"), required=False, help_text=_("Single choice only: one choice a line.")
    )

    class Meta:
        model = Question
        fields = ("order", "text", "kind", "choices", "required")

    def clean(self):
        data = super().clean()
        kind, choices = data.get("kind"), data.get("choices") or []
        if kind == Question.Kind.SINGLE_CHOICE:
            if len(choices) < 2:
                self.add_error("choices", _("A single-choice question needs at least 2 choices."))
            elif len(set(choices)) != len(choices):
                self.add_error("choices", _("Each choice may appear only once."))
            elif any(len(choice) > 100 for choice in choices):
                self.add_error("choices", _("A choice has at most 100 characters."))
        elif kind and choices:
            self.add_error("choices", _("Only a single-choice question has choices."))
        return data


class QuestionInline(HallScopedTabularInline):
    model = Question
    form = QuestionForm
    fields = ("order", "text", "kind", "choices", "required")
    ordering = ("order", "pk")
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(HallScopedAdmin):
    list_display = ("title", "hall", "is_active", "question_count", "response_count", "created_at")
    list_filter = (("hall", HallScopedRelatedFilter), "is_active")
    list_select_related = ("hall",)
    search_fields = ("title",)
    fields = ("hall", "title", "introduction", "is_active")
    inlines = (QuestionInline,)
    change_list_template = "evaluations/surveys/admin_questionnaire_change_list.html"

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_count=Count("questions", distinct=True),
                response_count=Count("responses", distinct=True),
            )
        )

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, obj: Questionnaire) -> int:
        return obj.question_count

    @admin.display(description=_("responses"), ordering="response_count")
    def response_count(self, obj: Questionnaire) -> int:
        return obj.response_count

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.create_default_view))
        return [
            path("create-default/", view, name="evaluations_questionnaire_create_default"),
            *super().get_urls(),
        ]

    def create_default_view(self, request: HttpRequest) -> HttpResponseRedirect:
        """Create the default questionnaire for each of the user's halls that lacks it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        halls = hall_scoped(Hall.objects.filter(is_active=True), request).order_by("code")
        created = []
        for hall in halls:
            if default_questionnaire(hall=hall) is None:
                questionnaire_create_default(hall=hall)
                created.append(hall.name)
        if created:
            self.message_user(
                request,
                ngettext(
                    "Created the default questionnaire for %(count)d hall: %(halls)s.",
                    "Created the default questionnaire for %(count)d halls: %(halls)s.",
                    len(created),
                )
                % {"count": len(created), "halls": "、".join(created)},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("Every hall of yours already has the default questionnaire."),
                messages.INFO,
            )
        return HttpResponseRedirect(reverse("admin:evaluations_questionnaire_changelist"))


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("question", "level", "yes", "choice", "text")
    readonly_fields = fields
    ordering = ("question__order", "question__pk")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WeekFilter(admin.SimpleListFilter):
    title = _("week (Monday)")
    parameter_name = "week"
    WEEKS_OFFERED = 12

    def lookups(self, request, model_admin):
        weeks = (
            model_admin.get_queryset(request)
            .order_by("-week_start")
            .values_list("week_start", flat=True)
            .distinct()[: self.WEEKS_OFFERED]
        )
        return [(week.isoformat(), week.isoformat()) for week in weeks]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(week_start=self.value())
        return queryset


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(HallScopedAdmin):
    list_display = ("submitted_at", "hall", "questionnaire", "week_start", "device")
    list_filter = (
        ("hall", HallScopedRelatedFilter),
        WeekFilter,
        ("questionnaire", HallScopedRelatedFilter),
    )
    list_select_related = ("hall", "questionnaire", "device__window")
    date_hierarchy = "submitted_at"
    fields = ("hall", "questionnaire", "submitted_at", "week_start", "device", "client_id")
    readonly_fields = fields
    inlines = (AnswerInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
