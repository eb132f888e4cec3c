"""The bulletins page's build form: a manager builds or rebuilds the bulletin of the day,
week or month that contains a date (the same service as build_bulletin and the beat)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from windows.widgets import DatePicker

from .models import Bulletin


class BulletinBuildForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Bulletin.Kind.choices)
    date = forms.DateField(label=_("A day of the period"), widget=DatePicker())
    email = forms.BooleanField(
        label=_("Email it to the recipients who have not received it yet"), required=False
    )
