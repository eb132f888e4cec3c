"""The booking page's forms: the citizen's booking and a cancellation."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

PHONE_PATTERN = r"^1[3-9][0-9]{9}$"
ID_LAST4_PATTERN = r"^[0-9]{3}[0-9Xx]$"


class ChallengeMixin:
    """The answer to the page's small sum, asked after repeated attempts (limits.py)."""

    def add_challenge(self, question: str) -> None:
        self.fields["challenge"] = forms.CharField(
            label=question,
            max_length=3,
            error_messages={"required": _("Answer the question to continue.")},
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        )


class BookingForm(ChallengeMixin, forms.Form):
    category = forms.ModelChoiceField(
        queryset=None,
        label=_("Business"),
        error_messages={
            "required": _("Choose a business."),
            "invalid_choice": _("Choose one of the listed businesses."),
        },
    )
    day = forms.TypedChoiceField(
        label=_("Day"),
        coerce=date.fromisoformat,
        error_messages={
            "required": _("Choose a day."),
            "invalid_choice": _("Choose one of the listed days."),
        },
    )
    slot = forms.ModelChoiceField(
        queryset=None,
        label=_("Time"),
        error_messages={
            "required": _("Choose a time slot."),
            "invalid_choice": _("Choose one of the listed time slots."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("The name can have at most 50 characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.RegexField(
        regex=PHONE_PATTERN,
        label=_("Mobile phone"),
        error_messages={
            "required": _("Enter your mobile phone number."),
            "invalid": _("Enter an 11-digit mainland mobile number, e.g. 13812345678."),
        },
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 11}),
    )
    id_last4 = forms.RegexField(
        regex=ID_LAST4_PATTERN,
        label=_("ID number, last 4"),
        error_messages={
            "required": _("Enter the last 4 characters of your ID number."),
            "invalid": _(
                "Enter the last 4 characters of your ID number: 3 digits, then a digit or X."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 4}),
    )

    def __init__(self, *args, categories, days, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["day"].choices = [(day.isoformat(), day.isoformat()) for day in days]
        self.fields["slot"].queryset = slots


class CancelForm(ChallengeMixin, forms.Form):
    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=20,
        error_messages={
            "required": _("Enter the confirmation code."),
            "max_length": _("No booking matches this code and phone number."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone used for the booking"),
        max_length=20,
        error_messages={
            "required": _("Enter your mobile phone number."),
            "max_length": _("No booking matches this code and phone number."),
        },
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
