"""The kiosk's forms: pairing, a tap on a category, an appointment's code."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PairingForm(forms.Form):
    code = forms.CharField(label=_("Pairing code"), max_length=20)


class IssueForm(forms.Form):
    category = forms.IntegerField(min_value=1)
    nonce = forms.CharField(max_length=200)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Appointment confirmation code"),
        max_length=20,
        error_messages={"required": _("Enter the confirmation code of your appointment.")},
    )
    nonce = forms.CharField(max_length=200, widget=forms.HiddenInput)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().replace(" ", "")
