"""The regional page: a region's halls ranked over whole months and month by month, its
workbook, and the region's monthly bulletins (their workbooks served after a region check).

Who: a user granted a region (RegionAccess: the regional manager role) sees that region and
its districts; a superuser every region. Anyone else (a hall's manager, supervisor or staff)
gets 403; another region's code is a 404, never a 403 that confirms it exists. Nothing here
writes: the page is read-only for everyone.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from reports.workbooks.styles import XLSX_CONTENT_TYPE
from windows.private_files import private_file_response
from windows.rules.hall_time import hall_localdate
from windows.scoping import user_regions

from .models import RegionalBulletin
from .selectors import COLUMNS, MAX_MONTHS, regional_ranking
from .workbook import write_regional_workbook

MONTH_FORMATS = ["%Y-%m"]
BULLETINS_LISTED = 24


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), cleaned to its first day."""

    input_formats = MONTH_FORMATS
    default_error_messages = {"invalid": gettext_lazy("Enter a month as YYYY-MM.")}
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class RankingForm(forms.Form):
    start = MonthField(label=gettext_lazy("From month"), required=False)
    end = MonthField(label=gettext_lazy("To month"), required=False)

    def __init__(self, data, *, today: dt.date, **kwargs) -> None:
        self.today = today
        super().__init__(data, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today.replace(day=1)
        start = cleaned.get("start") or end.replace(month=1)
        if start > end:
            raise forms.ValidationError(_("The first month must not be after the last month."))
        if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            raise forms.ValidationError(
                _("The period may cover at most %(months)d months.") % {"months": MAX_MONTHS}
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


def _regions(request: HttpRequest):
    regions = user_regions(request.user)
    if not regions.exists():
        raise PermissionDenied
    return regions


def _region(request: HttpRequest, regions):
    code = request.GET.get("region", "")
    if code:
        return get_object_or_404(regions, code=code)
    return regions.first()


def _ranking(request: HttpRequest):
    regions = _regions(request)
    region = _region(request, regions)
    today = hall_localdate(None)
    form = RankingForm(request.GET, today=today)
    ranking = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        ranking = regional_ranking(region=region, start=start, end=end)
        # The month inputs show the period ranked, the default one included.
        form = RankingForm({"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}, today=today)
        form.is_valid()
    return regions, region, form, ranking


@require_safe
@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_superuser and not user_regions(request.user).exists():
        # The system administrator before any region exists: say where regions are made.
        return render(request, "reports/regional/no_regions.html")
    regions, region, form, ranking = _ranking(request)
    context = {
        "regions": regions,
        "region": region,
        "form": form,
        "ranking": ranking,
        "columns": [(name, label) for name, label, _higher in COLUMNS],
        "bulletins": RegionalBulletin.objects.for_user(request.user)
        .filter(region=region)
        .order_by("-period_start")[:BULLETINS_LISTED],
    }
    return render(
        request,
        "reports/regional/ranking.html",
        context,
        status=200 if form.is_valid() else 400,
    )


@require_safe
@login_required
def ranking_workbook(request: HttpRequest) -> HttpResponse:
    _all, region, _form, ranking = _ranking(request)
    if ranking is None:
        return ranking_page(request)
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    filename = f"regional-{region.code}-{ranking.start:%Y%m}-{ranking.end:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_regional_workbook(ranking=ranking, output=response)
    return response


@require_safe
@login_required
def bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A regional bulletin's workbook, to a user who may see its region (404 otherwise)."""
    _regions(request)
    bulletin = get_object_or_404(
        RegionalBulletin.objects.for_user(request.user).select_related("region"), pk=pk
    )
    return private_file_response(request, bulletin.workbook, filename=bulletin.workbook_filename)
