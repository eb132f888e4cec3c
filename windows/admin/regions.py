"""Regions and who reads them: for the system administrator, who creates regions, puts halls
in them (the hall's region) and grants regional users (RegionAccess)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from windows.admin.scoping import SuperuserOnly
from windows.models import Hall, Region, RegionAccess


class SuperuserOnlyAdmin(SuperuserOnly, admin.ModelAdmin):
    pass


class RegionForm(forms.ModelForm):
    """The region's halls are chosen here: saving puts them in the region (Hall.region) and
    takes out those unchosen."""

    halls = forms.ModelMultipleChoiceField(
        label=_("halls"),
        queryset=Hall.objects.order_by("code"),
        required=False,
        widget=FilteredSelectMultiple(_("halls"), is_stacked=False),
    )

    class Meta:
        model = Region
        fields = ("code", "name", "kind", "parent")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["halls"].initial = list(self.instance.halls.values_list("pk", flat=True))

    def _save_m2m(self) -> None:
        super()._save_m2m()
        chosen = self.cleaned_data["halls"]
        self.instance.halls.exclude(pk__in=[hall.pk for hall in chosen]).update(region=None)
        Hall.objects.filter(pk__in=[hall.pk for hall in chosen]).update(region=self.instance)


class RegionAccessInline(admin.TabularInline):
    model = RegionAccess
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Region)
class RegionAdmin(SuperuserOnlyAdmin):
    form = RegionForm
    list_display = ("code", "name", "kind", "parent", "hall_list")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    inlines = (RegionAccessInline,)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("halls")

    @admin.display(description=_("halls"))
    def hall_list(self, obj: Region) -> str:
        return "、".join(hall.code for hall in obj.halls.all())


@admin.register(RegionAccess)
class RegionAccessAdmin(SuperuserOnlyAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)
    search_fields = ("user__username", "region__code", "region__name")
    list_select_related = ("user", "region")
    autocomplete_fields = ("user",)
    ordering = ("region__code", "user__username")
