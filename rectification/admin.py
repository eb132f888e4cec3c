"""Rectification checklists with their measures, and inspections with their named windows.

Planning a measure (what, who, by when) is edited in the checklist's inline; its status,
progress and evidence change on the measure's own page, through the services' rules.
"""

from __future__ import annotations

from io import BytesIO

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rectification.exports import checklist_filename, write_checklist_xlsx
from rectification.models import Inspection, Measure, RectificationChecklist
from rectification.selectors import completion_rate_pct, finished_q
from rectification.services import (
    checklist_create,
    measure_create,
    measure_update,
    measure_update_check,
)
from windows.admin.private_files import PrivateFileAdminMixin
from windows.admin.scoping import (
    HallOwnedForm,
    HallScopedAdmin,
    HallScopedRelatedFilter,
    HallScopedTabularInline,
    hall_scoped,
    request_hall_ids,
)
from windows.exports import XLSX_CONTENT_TYPE
from windows.models import Hall


def _people_of_users_halls(request: HttpRequest):
    """Accounts that may be responsible: staff and managers of the user's halls."""
    halls = Hall.objects.for_granted_halls(request.user)
    return (
        get_user_model()
        .objects.filter(
            Q(staff_profile__hall__in=halls) | Q(hall_accesses__hall__in=halls), is_active=True
        )
        .distinct()
        .order_by("username")
    )


class ResponsiblePersonMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "responsible_person":
            kwargs["queryset"] = _people_of_users_halls(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeasureInline(ResponsiblePersonMixin, HallScopedTabularInline):
    model = Measure
    fields = (
        "order",
        "title",
        "responsible_department",
        "responsible_person",
        "deadline",
        "status",
        "progress_pct",
        "complaint",
        "questionnaire_week",
    )
    readonly_fields = ("status", "progress_pct", "complaint", "questionnaire_week")
    ordering = ("order", "pk")
    show_change_link = True
    extra = 0


@admin.register(RectificationChecklist)
class RectificationChecklistAdmin(HallScopedAdmin):
    list_display = ("title", "hall", "source", "period", "measure_count", "completion_rate")
    list_filter = (("hall", HallScopedRelatedFilter), "source")
    search_fields = ("title",)
    list_select_related = ("hall",)
    fields = ("hall", "title", "source", "period_start", "period_end", "export_link")
    readonly_fields = ("export_link",)
    inlines = (MeasureInline,)
    actions = ("export_xlsx",)

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                measure_count=Count("measures"),
                finished_count=Count("measures", filter=finished_q("measures__")),
            )
        )

    def get_list_display(self, request: HttpRequest):
        """Without the hall column for a user of one hall, so the title has room."""
        hall_ids = request_hall_ids(request)
        shown = super().get_list_display(request)
        if hall_ids is not None and len(hall_ids) == 1:
            return tuple(name for name in shown if name != "hall")
        return shown

    def save_model(self, request, obj, form, change) -> None:
        """A new checklist goes through checklist_create (a manager of the hall); its
        inline measures then attach to it in save_formset. Edits save as usual."""
        if change:
            return super().save_model(request, obj, form, change)
        created = checklist_create(
            hall=obj.hall,
            title=obj.title,
            source=obj.source,
            period_start=obj.period_start,
            period_end=obj.period_end,
            by=request.user,
        )
        # The form's instance is the object the admin logs and the inlines attach to.
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db
        return None

    def save_formset(self, request, form, formset, change) -> None:
        """New measures go through measure_create (its rules: a manager of the hall, a
        department of the hall, the next place in the list); edits and deletions as usual."""
        if formset.model is not Measure:
            return super().save_formset(request, form, formset, change)
        measures = formset.save(commit=False)
        for measure in formset.deleted_objects:
            measure.delete()
        for measure in measures:
            if measure.pk is not None:
                measure.save()
                continue
            measure_create(
                checklist=form.instance,
                title=measure.title,
                deadline=measure.deadline,
                by=request.user,
                responsible_department=measure.responsible_department,
                responsible_person=measure.responsible_person,
                order=measure.order or None,
            )
        formset.save_m2m()
        return None

    @admin.display(description=_("period"), ordering="period_start")
    def period(self, obj: RectificationChecklist) -> str:
        return f"{obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d}"

    @admin.display(description=_("measures"), ordering="measure_count")
    def measure_count(self, obj: RectificationChecklist) -> int:
        return obj.measure_count

    @admin.display(description=_("completion rate"))
    def completion_rate(self, obj: RectificationChecklist) -> str:
        rate = completion_rate_pct(finished=obj.finished_count, total=obj.measure_count)
        return "—" if rate is None else f"{rate:.2f}%"

    @admin.display(description=_("workbook"))
    def export_link(self, obj: RectificationChecklist | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a class="button" id="export-checklist" href="{}">{}</a>',
            reverse("rectification:export", args=[obj.pk]),
            _("Export to Excel"),
        )

    @admin.action(description=_("Export to Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one checklist to export."), level="error")
            return None
        checklist = queryset.get()
        buffer = BytesIO()
        write_checklist_xlsx(checklist, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{checklist_filename(checklist)}"'
        return response


class MeasureForm(HallOwnedForm):
    """Checks the status and progress through the service; the admin then saves through it."""

    class Meta:
        model = Measure
        fields = ("status", "progress_pct", "evidence_notes", "evidence_file")

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and self.request is not None and not self.errors:
            try:
                measure_update_check(
                    measure=self.instance,
                    by=self.request.user,
                    status=cleaned.get("status"),
                    progress_pct=cleaned.get("progress_pct"),
                )
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned


@admin.register(Measure)
class MeasureAdmin(PrivateFileAdminMixin, HallScopedAdmin):
    list_display = ("title", "checklist", "deadline", "status", "progress_pct", "verified_by")
    list_filter = ("status", ("checklist", HallScopedRelatedFilter))
    search_fields = ("title",)
    list_select_related = ("checklist", "verified_by")
    form = MeasureForm
    private_file_views = {"evidence_file": "rectification:evidence"}
    fields = (
        "checklist",
        "title",
        "responsible_department",
        "responsible_person",
        "deadline",
        "status",
        "progress_pct",
        "evidence_notes",
        "evidence_file",
        "completed_on",
        "verified_by",
        "verified_at",
        "complaint",
        "questionnaire_week",
    )
    readonly_fields = (
        "checklist",
        "title",
        "responsible_department",
        "responsible_person",
        "deadline",
        "completed_on",
        "verified_by",
        "verified_at",
        "complaint",
        "questionnaire_week",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner) -> None:
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        evidence_file = data.get("evidence_file") if "evidence_file" in form.changed_data else None
        measure_update(
            measure=obj,
            by=request.user,
            status=data.get("status"),
            progress_pct=data.get("progress_pct"),
            evidence_notes=data.get("evidence_notes", ""),
            evidence_file=evidence_file or None,
        )


class InspectionForm(HallOwnedForm):
    class Meta:
        model = Inspection
        fields = "__all__"

    def clean(self) -> dict:
        cleaned = super().clean()
        hall = cleaned.get("hall") or (self.instance.hall if self.instance.hall_id else None)
        if hall is None:
            return cleaned
        for name in ("best_windows", "worst_windows"):
            if any(window.hall_id != hall.pk for window in cleaned.get(name) or ()):
                self.add_error(name, _("Only windows of the inspected hall may be named."))
        both = set(cleaned.get("best_windows") or ()) & set(cleaned.get("worst_windows") or ())
        if both:
            self.add_error(
                "worst_windows", _("A window cannot be both among the best and the worst.")
            )
        return cleaned


@admin.register(Inspection)
class InspectionAdmin(HallScopedAdmin):
    form = InspectionForm
    list_display = ("visited_on", "group_name", "hall", "best", "worst")
    list_filter = (("hall", HallScopedRelatedFilter),)
    search_fields = ("group_name", "findings")
    fields = ("hall", "group_name", "visited_on", "findings", "best_windows", "worst_windows")
    filter_horizontal = ("best_windows", "worst_windows")
    date_hierarchy = "visited_on"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("best_windows", "worst_windows")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            field.queryset = hall_scoped(field.queryset, request).order_by("hall__code", "number")
        return field

    @admin.display(description=_("best windows"))
    def best(self, obj: Inspection) -> str:
        return ", ".join(str(n) for n in sorted(w.number for w in obj.best_windows.all()))

    @admin.display(description=_("worst windows"))
    def worst(self, obj: Inspection) -> str:
        return ", ".join(str(n) for n in sorted(w.number for w in obj.worst_windows.all()))
